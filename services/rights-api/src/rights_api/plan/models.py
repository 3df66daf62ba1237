"""Plan editions 规划版本: the numbers of one master plan, versioned as data (第七章)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, Date, DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class PlanEdition(SQLModel, table=True):
    """One edition; ``content`` holds its rules and geometry (validated by ``PlanContent``).
    An application is judged by the edition in force on its filing date: the one with the
    latest ``effective_from`` not after it."""

    __tablename__ = "plan_editions"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    effective_from: date = Field(sa_column=Column(Date, nullable=False, unique=True))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
