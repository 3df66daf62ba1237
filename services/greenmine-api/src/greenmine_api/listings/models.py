"""The list 绿色矿山名录: one listing per time a mine is on it, and its history."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


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
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class HistoryEntry(SQLModel, table=True):
    __tablename__ = "listing_history"

    id: int | None = Field(None, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    on: date
    action: str = Field(max_length=40)
    detail: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
