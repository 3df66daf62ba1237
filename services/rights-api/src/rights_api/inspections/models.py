"""Site inspections 现场检查, recorded by inspectors' mobile apps (often offline)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from servicekit import clock
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Inspection(SQLModel, table=True):
    __tablename__ = "inspections"
    __table_args__ = (
        Index("inspections_received_at_id", "received_at", "id"),  # list order
        Index("inspections_right_id", "right_id"),
    )

    # chosen by the app (client_uuid), so a record sent twice from offline is one record
    id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    inspector: str = Field(sa_column=Column(String(200), nullable=False))  # token subject
    inspector_name: str | None = Field(None, sa_column=Column(String(100)))
    inspected_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    working_face: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    findings: str = Field(sa_column=Column(Text, nullable=False))
    # None: the right has no licensed boundary on record, so nothing could be checked
    out_of_bounds: bool | None = Field(None, sa_column=Column(Boolean))
    outside_points: list[int] | None = Field(None, sa_column=Column(JSONB))
    # SHA-256 of the canonical request body: a replay with the same body is the same record
    body_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    received_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class InspectionPhoto(SQLModel, table=True):
    __tablename__ = "inspection_photos"

    inspection_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("inspections.id"), primary_key=True)
    )
    sha256: str = Field(
        sa_column=Column(String(64), ForeignKey("attachments.sha256"), primary_key=True)
    )
    attached_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    attached_by: str = Field(sa_column=Column(String(200), nullable=False))
