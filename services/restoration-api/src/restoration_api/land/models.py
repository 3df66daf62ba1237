"""The land balance 动态平衡: land each mine occupied and restored per year."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Column, DateTime, Numeric
from sqlmodel import Field, SQLModel


class LandBalance(SQLModel, table=True):
    """Land a mine occupied and restored in one year: the dynamic balance 动态平衡."""

    __tablename__ = "land_balances"

    right_id: UUID = Field(foreign_key="mining_rights.right_id", primary_key=True)
    year: int = Field(primary_key=True)
    occupied_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    restored_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
