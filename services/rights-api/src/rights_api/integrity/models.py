"""The integrity record 诚信体系 (第五章第二节 "建立矿山企业诚信体系"): append-only entries, one
per source event. The database refuses UPDATE and DELETE on them (trigger, r0011)."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Identity, Index, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class IntegrityEntry(SQLModel, table=True):
    __tablename__ = "integrity_entries"
    __table_args__ = (
        Index("integrity_entries_holder_id_seq", "holder_id", "seq"),
        Index("integrity_entries_severity_seq", "severity", "seq"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    # the feed's order: taken under a transaction lock, so it is also the order of commits
    seq: int | None = Field(
        None, sa_column=Column(BigInteger, Identity(always=True), nullable=False, unique=True)
    )
    holder_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    right_id: UUID | None = Field(None, sa_column=Column(Uuid))
    kind: str = Field(sa_column=Column(String(60), nullable=False))
    severity: str = Field(sa_column=Column(String(12), nullable=False))
    clause: str = Field(sa_column=Column(Text, nullable=False))
    summary_zh: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # the CloudEvent this entry records (a correction: "correction:<entry id>")
    source_event_id: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    source_type: str = Field(sa_column=Column(String(100), nullable=False))
    source: str = Field(sa_column=Column(String(200), nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    corrects_entry_id: UUID | None = Field(
        None, sa_column=Column(Uuid, ForeignKey("integrity_entries.id"), unique=True)
    )
    recorded_by: str | None = Field(None, sa_column=Column(String(200)))
    recorded_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
