"""Site inspections 现场检查, recorded by inspectors' mobile apps (often offline)."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from servicekit import clock
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
)
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
    # metres above sea level; out_of_level: outside the right's licensed elevation range 超层越界,
    # None when either is not on record (nothing could be checked)
    working_face_elevation_m: Decimal | None = Field(None, sa_column=Column(Numeric(8, 2)))
    out_of_level: bool | None = Field(None, sa_column=Column(Boolean))
    # the random patrol 随机巡查 the inspection reports on (its findings are the patrol's)
    patrol_draw_id: UUID | None = Field(
        None, sa_column=Column(Uuid, ForeignKey("patrol_draws.id"), index=True)
    )
    # SHA-256 of the canonical request body: a replay with the same body is the same record
    body_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    received_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # edits (offline sync): each names the version it was based on; a stale one is a 409
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
    # what every edit replaced: [{version, edited_at, edited_by, before: {field: old value}}]
    edits: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    # the last edit's canonical body hash: the same edit sent again is answered, not refused
    last_edit_sha256: str | None = Field(None, sa_column=Column(String(64)))
    updated_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))


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
