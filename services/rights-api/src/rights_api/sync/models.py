"""What offline sync keeps: what each sync token stood for, and restoration's open
rectification orders (a read model fed by restoration-api's events)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from servicekit import clock
from sqlalchemy import Column, Date, DateTime, Index, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class SyncSnapshot(SQLModel, table=True):
    """The set an inspector's app holds after a sync: ``items`` maps each object's key
    (``mine:<id>``, ``order:<id>``, ``rectification:<id>``, ``inspection:<id>``) to the hash of
    the form it was sent in. The token is derived from the inspector and that set, so a sync
    with nothing new answers the token it was given."""

    __tablename__ = "sync_snapshots"
    __table_args__ = (Index("sync_snapshots_used_at", "used_at"),)

    token: str = Field(sa_column=Column(String(64), primary_key=True))
    inspector: str = Field(sa_column=Column(String(200), nullable=False))
    items: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    used_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class RectificationCopy(SQLModel, table=True):
    """restoration-api's rectification order 治理恢复限期整改 as its events told it."""

    __tablename__ = "restoration_rectifications"
    __table_args__ = (Index("restoration_rectifications_right_id", "right_id"),)

    id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    holder_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))  # ordered|overdue|resolved
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
