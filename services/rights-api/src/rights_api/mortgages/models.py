"""Mortgages of mining rights 采矿权抵押 filed with the city bureau (第五章第二节)."""

from datetime import date, datetime
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlmodel import Field, SQLModel


class Mortgage(SQLModel, table=True):
    """A filed mortgage 抵押备案: created when a ``mortgage_filing`` application is approved,
    released by the bureau (抵押解除). While one is unreleased the right cannot be transferred."""

    __tablename__ = "mortgages"
    __table_args__ = (Index("mortgages_right_filed_at", "right_id", "filed_at", "id"),)

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    application_id: UUID | None = Field(
        None, sa_column=Column(Uuid, ForeignKey("applications.id"), unique=True)
    )
    mortgagee: str = Field(sa_column=Column(String(200), nullable=False))
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date = Field(sa_column=Column(Date, nullable=False))
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    filed_by: str = Field(sa_column=Column(String(200), nullable=False))
    released_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    released_by: str | None = Field(None, sa_column=Column(String(200)))
    release_reason: str | None = Field(None, sa_column=Column(Text))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
