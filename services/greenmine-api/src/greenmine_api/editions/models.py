"""The plan edition whose numbers greenmine-api applies (目标、复查周期、整改期限、公示天数)."""

from datetime import date
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


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
    # mines already on the list when the edition took effect (第一章第二节三), by mine name
    reference_listings: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    active: bool = True
    version: int = 1
