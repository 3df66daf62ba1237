"""Random patrols 随机巡查 (第五章第二节): the hired professionals and the draws."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Professional(SQLModel, table=True):
    """A professional the bureau hires for patrols 聘用专业技术人员."""

    __tablename__ = "patrol_professionals"
    __table_args__ = (Index("patrol_professionals_created_at_id", "created_at", "id"),)

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    organisation: str = Field(sa_column=Column(String(200), nullable=False))
    speciality: str = Field(sa_column=Column(String(100), nullable=False))
    # contact data: the bureau's only, never in a draw
    phone: str | None = Field(None, sa_column=Column(String(40)))
    # works for this holder (回避: never drawn for its mines)
    employer_holder_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("holders.id")))
    # mines whose filings, verifications or inspections the professional signed, and any other
    # declared conflict (回避): never drawn for them
    conflict_right_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class PatrolDraw(SQLModel, table=True):
    """One draw: its seed, the inputs it read and what it drew, all published."""

    __tablename__ = "patrol_draws"
    __table_args__ = (Index("patrol_draws_drawn_at_id", "drawn_at", "id"),)

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    sample_size: int = Field(sa_column=Column(Integer, nullable=False))
    professionals_per_mine: int = Field(sa_column=Column(Integer, nullable=False))
    seed: str = Field(sa_column=Column(String(128), nullable=False))
    method: str = Field(sa_column=Column(String(32), nullable=False))
    inputs: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    inputs_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    result: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    drawn_by: str = Field(sa_column=Column(String(200), nullable=False))
    drawn_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
