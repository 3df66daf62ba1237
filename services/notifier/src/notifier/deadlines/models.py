"""Deadlines the notifier learned from other services' events."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from servicekit import clock
from sqlalchemy import Column, Date, DateTime, Index, String, func, text
from sqlmodel import Field, SQLModel

SHANGHAI = clock.LOCAL  # deadlines are local dates (ARCHITECTURE.md, "Time")


class DeadlineState(StrEnum):
    open = "open"
    met = "met"
    cancelled = "cancelled"
    overdue = "overdue"


class Deadline(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (
        # the sweep reads only due work: this partial index holds just the deadlines that
        # still have a step ahead of them, ordered by when it is due
        Index(
            "deadlines_due_work", "next_fire_at", postgresql_where=text("next_fire_at IS NOT NULL")
        ),
        Index("deadlines_subject", "subject", "state"),
        Index("deadlines_holder", "holder_id", "due_at"),
        Index("deadlines_due_at", "due_at", "id"),
    )

    # String, not SQLModel's AutoString: its Python type (str) reads the list's cursor back
    id: str = Field(primary_key=True, max_length=200, sa_type=String(200))
    kind: str = Field(max_length=100)
    subject: str = Field(max_length=200)
    holder_id: str | None = Field(None, max_length=100)
    role: str | None = Field(None, max_length=50)
    org_id: str | None = Field(None, max_length=100)
    title_zh: str = Field(max_length=500)
    due_at: date = Field(sa_column=Column(Date, nullable=False))
    state: DeadlineState = Field(sa_type=String(20))
    # the smallest lead time (days) already reminded, or skipped as past: later reminders only
    reminded_lead: int | None = None
    next_step: str | None = Field(None, max_length=20)  # "reminder-7", "overdue"
    next_fire_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_event_type: str = Field(max_length=200)
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


@dataclass(slots=True)
class Due:
    """A deadline the sweep claimed, as plain values: the sweep reads and writes its columns
    with one statement each, with no ORM instance to load, track and flush one by one."""

    id: str
    kind: str
    subject: str
    title_zh: str
    due_at: date
    state: str
    reminded_lead: int | None
    next_step: str | None
    next_fire_at: datetime | None
