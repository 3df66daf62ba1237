"""The plan's named deadlines as obligations: what was last announced for each, and the small
read tables of what other services reported (green-mine listings, restoration acceptances,
legacy-site acceptances), filled from their events."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from servicekit import clock
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Numeric, String, Uuid
from sqlmodel import Field, SQLModel


class NamedDeadlineState(SQLModel, table=True):
    """One per edition and named deadline: the state and due date last published, so the daily
    job publishes each change once (set, then met or overdue)."""

    __tablename__ = "named_deadline_states"

    edition_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("plan_editions.id"), primary_key=True)
    )
    deadline_id: str = Field(sa_column=Column(String(40), primary_key=True))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    state: str = Field(sa_column=Column(String(8), nullable=False))  # open | met | missed
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class GreenListingSeen(SQLModel, table=True):
    """A green-mine listing as greenmine-api announced it (greenmine.mine.listed|delisted)."""

    __tablename__ = "green_listings_seen"
    __table_args__ = (Index("green_listings_seen_right_id", "right_id"),)

    listing_id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    entry_date: date = Field(sa_column=Column(Date, nullable=False))
    delisted_on: date | None = Field(None, sa_column=Column(Date))


class AcceptanceSeen(SQLModel, table=True):
    """A restoration acceptance passed on a mine (restoration.acceptance.passed)."""

    __tablename__ = "restoration_acceptances_seen"
    __table_args__ = (Index("restoration_acceptances_seen_right_id", "right_id"),)

    acceptance_id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    accepted_on: date = Field(sa_column=Column(Date, nullable=False))
    closure: bool = Field(False, sa_column=Column(Boolean, nullable=False))


class LegacyAcceptanceSeen(SQLModel, table=True):
    """A passed acceptance of restoration on a legacy site 历史遗留矿山
    (restoration.legacy_site.accepted)."""

    __tablename__ = "legacy_acceptances_seen"

    acceptance_id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    legacy_site_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    accepted_area_ha: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    accepted_on: date = Field(sa_column=Column(Date, nullable=False))
