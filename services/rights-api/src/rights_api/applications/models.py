"""Applications 申请 and their review."""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Application(SQLModel, table=True):
    __tablename__ = "applications"
    __table_args__ = (
        Index("applications_filed_at_id", "filed_at", "id"),  # list order
        Index("applications_right_kind_status", "right_id", "kind", "status"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    holder_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("holders.id"), nullable=False, index=True)
    )
    right_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("rights.id")))
    edition_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("plan_editions.id"), nullable=False))
    mineral: str | None = Field(None, sa_column=Column(String(32)))
    mine_name: str | None = Field(None, sa_column=Column(String(200)))
    request: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    filed_by: str = Field(sa_column=Column(String(200), nullable=False))
    review_due: date = Field(sa_column=Column(Date, nullable=False))
    review_overdue_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    # what approval waits for (the closure restoration acceptance); None: nothing
    waiting_for: dict[str, Any] | None = Field(None, sa_column=Column(JSONB(none_as_null=True)))
    # a closure puts the mine in `closing`; a rejection puts it back to this status
    right_status_before: str | None = Field(None, sa_column=Column(String(24)))
    restoration_acceptance: dict[str, Any] | None = Field(
        None, sa_column=Column(JSONB(none_as_null=True))
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    decided_by: str | None = Field(None, sa_column=Column(String(200)))
    decision_reason: str | None = Field(None, sa_column=Column(Text))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
