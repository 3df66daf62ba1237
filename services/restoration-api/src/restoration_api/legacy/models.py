"""The edition's indicator targets (专栏二), kept as data."""

from decimal import Decimal

from sqlalchemy import Column, Numeric
from sqlmodel import Field, SQLModel


class PlanTarget(SQLModel, table=True):
    __tablename__ = "plan_targets"

    edition: str = Field(max_length=20, primary_key=True)
    indicator: str = Field(max_length=40, primary_key=True)
    value: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    unit: str = Field(max_length=16)
    binding: bool = False
    period_from: int
    period_to: int
    clause: str = Field(max_length=100)
    name_zh: str = Field(max_length=100)
