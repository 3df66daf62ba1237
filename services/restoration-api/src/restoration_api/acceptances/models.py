"""Acceptance inspections 验收 of a mine's or a legacy site's restoration."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import Column, Date, DateTime, Index, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Acceptance(SQLModel, table=True):
    __tablename__ = "acceptances"
    __table_args__ = (Index("acceptances_inspected", "inspected_on", "id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID | None = Field(None, foreign_key="mining_rights.right_id", index=True)
    legacy_site_id: UUID | None = Field(None, foreign_key="legacy_sites.id", index=True)
    work_id: UUID | None = Field(None, foreign_key="works.id")
    closure_case_id: UUID | None = Field(None, foreign_key="closure_cases.id")
    passed: bool
    accepted_area_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    reasons: list = Field(sa_column=Column(JSONB, nullable=False))
    inspected_on: date = Field(sa_column=Column(Date, nullable=False))
    inspected_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
