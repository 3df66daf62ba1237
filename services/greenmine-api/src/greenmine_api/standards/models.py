"""Evaluation standards 绿色矿山评价指标: versioned, stored as data, never coded."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Numeric, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Standard(SQLModel, table=True):
    """One version of a standard: categories with their items and points, the mandatory
    prerequisites, and the pass rule (total and per-category share)."""

    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("code", "version", name="standards_code_version"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code: str = Field(sa_type=String(60))  # a plain String: the list pages by it
    version: int
    title: str = Field(max_length=200)
    source: str = Field(max_length=500)
    total_points: int
    pass_total: int
    category_min_ratio: Decimal = Field(sa_column=Column(Numeric(5, 4), nullable=False))
    categories: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    prerequisites: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    is_default: bool = False
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
