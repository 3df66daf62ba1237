"""What greenmine-api knows of mines (a projection of rights-api's events) and of the plan
edition whose numbers it applies (目标、复查周期、整改期限、公示天数)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from greenmine_api.standards.models import now_utc


class Edition(SQLModel, table=True):
    """A plan edition's numbers for the green-mine list. The active one applies."""

    __tablename__ = "editions"

    code: str = Field(primary_key=True, max_length=20)
    title: str = Field(max_length=200)
    period_start: date
    period_end: date
    green_mine_target: int
    review_interval_years: int
    review_application_lead_months: int
    rectification_months: int
    publicity_workdays: int
    source: str = Field(max_length=500)
    # mines already on the list when the edition took effect (专栏一), matched by mine name
    reference_listings: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    active: bool = True
    version: int = 1


class Mine(SQLModel, table=True):
    """A mining right as rights-api announced it (rights.right.granted and what followed)."""

    __tablename__ = "tracked_mines"

    right_id: UUID = Field(primary_key=True)
    holder_id: UUID = Field(index=True)
    holder_name: str | None = Field(None, max_length=200)
    mine_name: str = Field(max_length=200, index=True)
    licence_no: str = Field(max_length=60)
    kind: str = Field(max_length=20)
    mineral: str = Field(max_length=40)
    status: str = Field(max_length=30)
    reference: bool = False
    # a new mining right must meet the green standard by the end of the plan period
    obliged: bool = False
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
