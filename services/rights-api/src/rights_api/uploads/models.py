"""Resumable photo uploads (tus 1.0): one row per upload; the bytes received so far are a
file of their own until the last one arrives."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class PhotoUpload(SQLModel, table=True):
    __tablename__ = "photo_uploads"
    __table_args__ = (Index("photo_uploads_updated_at", "updated_at"),)

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    inspection_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("inspections.id"), nullable=False)
    )
    length: int = Field(sa_column=Column(BigInteger, nullable=False))  # Upload-Length
    # Upload-Metadata, decoded (filename, filetype...): kept, never trusted for the type
    metadata_: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSONB, nullable=False)
    )
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # set when the last byte arrived and the photo was attached
    sha256: str | None = Field(None, sa_column=Column(String(64)))
    completed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
