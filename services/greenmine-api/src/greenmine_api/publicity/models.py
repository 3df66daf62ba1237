"""Publicity 公示: a passing evaluation (or a passed rectification) is published for a number
of working days; anyone may object; objections are decided before the period closes."""

from datetime import date, datetime
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel


class Publicity(SQLModel, table=True):
    __tablename__ = "publicities"
    __table_args__ = (Index("publicities_status_ends_on", "status", "ends_on"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(max_length=10, description="entry, review or relisting")
    right_id: UUID = Field(index=True)
    holder_id: UUID
    mine_name: str = Field(max_length=200)
    application_id: UUID | None = Field(None, foreign_key="green_applications.id")
    rectification_id: UUID | None = None
    starts_on: date
    ends_on: date = Field(description="The last day of the period (working days counted).")
    workdays: int
    status: str = Field(max_length=10, description="open, passed or failed")
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Objection(SQLModel, table=True):
    __tablename__ = "objections"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    publicity_id: UUID = Field(foreign_key="publicities.id", index=True)
    content: str = Field(max_length=2000)
    contact: str | None = Field(None, max_length=100)
    status: str = Field(max_length=12, description="pending, upheld or dismissed")
    decision_note: str | None = Field(None, max_length=2000)
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
