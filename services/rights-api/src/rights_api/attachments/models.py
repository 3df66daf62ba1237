"""Stored files (inspection photos, plan maps, reserve reports), one row per content hash."""

from datetime import datetime

from servicekit import clock
from sqlalchemy import BigInteger, Column, DateTime, String
from sqlmodel import Field, SQLModel


class Attachment(SQLModel, table=True):
    """A file by its SHA-256: the same bytes uploaded twice are one row and one file. Who may
    read it follows from what it is attached to (an inspection, a filing), never from the hash."""

    __tablename__ = "attachments"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    media_type: str = Field(sa_column=Column(String(80), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
