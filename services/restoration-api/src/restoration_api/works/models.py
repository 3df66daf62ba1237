"""Restoration works, acceptance inspections 验收, closure cases and the land balance."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Work(SQLModel, table=True):
    """A restoration work item: of a mine (paid from its fund) or of a legacy site (paid from
    a program fund)."""

    __tablename__ = "works"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID | None = Field(None, foreign_key="mines.right_id", index=True)
    legacy_site_id: UUID | None = Field(None, foreign_key="legacy_sites.id", index=True)
    name: str = Field(max_length=200)
    area_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    estimated_cost_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    year: int
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ClosureCase(SQLModel, table=True):
    """Opened by a closure application in rights-api (第六章第二节三)."""

    __tablename__ = "closure_cases"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mines.right_id", index=True)
    application_id: UUID = Field(unique=True)
    holder_id: UUID
    status: str = Field(max_length=16)  # open | passed | cancelled
    acceptance_id: UUID | None = None
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))


class Acceptance(SQLModel, table=True):
    __tablename__ = "acceptances"
    __table_args__ = (Index("acceptances_inspected", "inspected_on", "id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID | None = Field(None, foreign_key="mines.right_id", index=True)
    legacy_site_id: UUID | None = Field(None, foreign_key="legacy_sites.id", index=True)
    work_id: UUID | None = Field(None, foreign_key="works.id")
    closure_case_id: UUID | None = Field(None, foreign_key="closure_cases.id")
    passed: bool
    accepted_area_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    reasons: list = Field(sa_column=Column(JSONB, nullable=False))
    inspected_on: date = Field(sa_column=Column(Date, nullable=False))
    inspected_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class LandBalance(SQLModel, table=True):
    """Land a mine occupied and restored in one year: the dynamic balance 动态平衡."""

    __tablename__ = "land_balances"

    right_id: UUID = Field(foreign_key="mines.right_id", primary_key=True)
    year: int = Field(primary_key=True)
    occupied_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    restored_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
