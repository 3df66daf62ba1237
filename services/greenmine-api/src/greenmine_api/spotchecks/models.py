"""Spot checks 双随机、一公开: random listed mines, random experts from the pool, published."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import ARRAY, Column, DateTime, Numeric, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Expert(SQLModel, table=True):
    """An expert of the pool 专家库, with the ties that disqualify them (回避)."""

    __tablename__ = "experts"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(max_length=100)
    specialty: str = Field(max_length=100)
    employer: str | None = Field(None, max_length=200)
    tied_holder_ids: list[UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid), nullable=False)
    )
    tied_org_ids: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(64)), nullable=False)
    )
    active: bool = True
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class SpotCheck(SQLModel, table=True):
    __tablename__ = "spot_checks"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    title: str = Field(max_length=200)
    seed: str = Field(max_length=128)
    algorithm: str = Field(max_length=60)
    share: Decimal = Field(sa_column=Column(Numeric(5, 4), nullable=False))
    experts_per_mine: int
    inputs: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    draw: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    status: str = Field(max_length=10, description="drawn or published")
    drawn_by: str = Field(max_length=200)
    drawn_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    published_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))


class SpotCheckFinding(SQLModel, table=True):
    __tablename__ = "spot_check_findings"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    spot_check_id: UUID = Field(foreign_key="spot_checks.id", index=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    compliant: bool
    findings: str = Field(max_length=4000)
    recorded_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
