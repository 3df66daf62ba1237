"""The table a consuming service keeps in its own database."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Column, Date, DateTime, Numeric
from sqlmodel import Field, SQLModel


class MiningRight(SQLModel, table=True):
    """A right as rights-api last announced it (专栏一's mines arrive with ``reference``)."""

    __tablename__ = "mining_rights"

    right_id: UUID = Field(primary_key=True)
    licence_no: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # mining or exploration
    holder_id: UUID = Field(index=True)
    holder_name: str | None = Field(None, max_length=200)
    mine_name: str = Field(max_length=200, index=True)
    mineral: str = Field(max_length=40)
    method: str | None = Field(None, max_length=16)
    scale_value: Decimal | None = Field(None, sa_column=Column(Numeric(14, 4)))
    scale_unit: str | None = Field(None, max_length=20)
    area_km2: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    zone: str | None = Field(None, max_length=32)
    licensing_level: str | None = Field(None, max_length=16)
    status: str = Field(max_length=24)
    valid_from: date | None = Field(None, sa_column=Column(Date))
    valid_to: date | None = Field(None, sa_column=Column(Date))
    reference: bool = False
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    # the right's version at rights-api when last told (None: told by an event older than
    # versions in events); an event with a lower version is stale and ignored
    version: int | None = None
    # when the news last applied happened at rights-api (the event's own time)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    @property
    def live(self) -> bool:
        return self.status not in ("closed", "closed_by_policy")
