"""The projection of mining rights this service keeps from ``rights.*`` events."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Column, DateTime, Numeric
from sqlmodel import Field, SQLModel


class Mine(SQLModel, table=True):
    """A mining right as rights-api last told us (专栏一 mines arrive with ``reference``)."""

    __tablename__ = "mines"

    right_id: UUID = Field(primary_key=True)
    holder_id: UUID = Field(index=True)
    holder_name: str | None = Field(None, max_length=200)
    licence_no: str = Field(max_length=40)
    mine_name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    mineral: str = Field(max_length=40)
    method: str | None = Field(None, max_length=16)
    status: str = Field(max_length=24)
    area_km2: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    reference: bool = False
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
