"""Accrual rule sets (per effective period, coefficient tables as data) and the accruals made."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, Date, DateTime, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class RuleSet(SQLModel, table=True):
    """amount = previous year's output × base rate[mineral] × method[method] × land[land type]
    × region[region], in yuan."""

    __tablename__ = "accrual_rule_sets"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    effective_from: date = Field(sa_column=Column(Date, nullable=False, index=True))
    effective_to: date | None = Field(None, sa_column=Column(Date))
    illustrative: bool = False
    source: str | None = Field(None, max_length=500)
    base_rates: dict = Field(sa_column=Column(JSONB, nullable=False))
    method_factors: dict = Field(sa_column=Column(JSONB, nullable=False))
    land_type_factors: dict = Field(sa_column=Column(JSONB, nullable=False))
    region_factors: dict = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Accrual(SQLModel, table=True):
    """One year's accrual of one fund, with the figures it was computed from."""

    __tablename__ = "accruals"
    __table_args__ = (UniqueConstraint("fund_id", "year", name="accruals_fund_year"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    fund_id: UUID = Field(foreign_key="funds.id")
    year: int
    rule_set_id: UUID = Field(foreign_key="accrual_rule_sets.id")
    output: Decimal = Field(sa_column=Column(Numeric(16, 4), nullable=False))
    land_type: str = Field(max_length=40)
    region: str = Field(max_length=40)
    rule_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    plan_need_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    required_before_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    posted_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    transfer_id: UUID | None = Field(None, foreign_key="transfers.id")
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
