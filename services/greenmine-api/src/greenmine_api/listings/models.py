"""The list 绿色矿山名录 and everything that happens to a mine on it."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from greenmine_api.standards.models import now_utc


class ListingStatus(StrEnum):
    listed = "listed"
    rectifying = "rectifying"  # 限期整改, benefits suspended
    delisted = "delisted"


class Listing(SQLModel, table=True):
    __tablename__ = "listings"
    __table_args__ = (
        Index("listings_entry_date_id", "entry_date", "id"),
        # a mine is on the list at most once at a time
        Index(
            "listings_one_active_per_right",
            "right_id",
            unique=True,
            postgresql_where="status <> 'delisted'",
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(index=True)
    holder_id: UUID = Field(index=True)
    holder_name: str | None = Field(None, max_length=200)
    mine_name: str = Field(max_length=200)
    mineral: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=300)
    contact_phone: str | None = Field(None, max_length=40)
    status: str = Field(max_length=12)
    entry_date: date
    next_review_due: date
    benefits_suspended: bool = False
    evaluator_org_id: str | None = Field(None, max_length=64)
    application_id: UUID | None = None
    source: str = Field(max_length=20, description="evaluation or reference (专栏一)")
    delisted_on: date | None = None
    # the review date whose application deadline was reported overdue (once per cycle)
    review_overdue_for: date | None = None
    version: int = 1
    updated_at: datetime = Field(
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class HistoryEntry(SQLModel, table=True):
    __tablename__ = "listing_history"

    id: int | None = Field(None, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    on: date
    action: str = Field(max_length=40)
    detail: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    at: datetime = Field(
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ExitNotice(SQLModel, table=True):
    """退出绿色矿山公告书, numbered per year: 二自然资绿退〔2026〕1号."""

    __tablename__ = "exit_notices"
    __table_args__ = (UniqueConstraint("year", "seq", name="exit_notices_year_seq"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", unique=True)
    year: int
    seq: int
    number: str = Field(max_length=60)
    reason: str = Field(max_length=40)
    text_zh: str = Field(max_length=2000)
    published_on: date


class Rectification(SQLModel, table=True):
    """限期整改: 6 months, benefits suspended; passed → publicity → re-listed; failed or
    overdue → removed."""

    __tablename__ = "green_rectifications"
    __table_args__ = (Index("green_rectifications_status_due_on", "status", "due_on"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    right_id: UUID
    holder_id: UUID
    reason: str = Field(max_length=40)
    detail: str | None = Field(None, max_length=2000)
    ordered_on: date
    due_on: date
    status: str = Field(max_length=12, description="open, passed, failed, overdue")
    decision_note: str | None = Field(None, max_length=2000)
    decided_on: date | None = None


class ChangeRequest(SQLModel, table=True):
    """信息变更申请: listed information changes only when the bureau approves."""

    __tablename__ = "change_requests"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    holder_id: UUID
    changes: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    reason: str = Field(max_length=1000)
    status: str = Field(max_length=10, description="pending, approved, rejected")
    decision_note: str | None = Field(None, max_length=1000)
    filed_at: datetime = Field(
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
