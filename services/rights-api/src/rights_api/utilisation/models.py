"""Three rates 三率 reports (第四章第三节): one per mining right and year."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TONNES = Numeric(16, 2)
PERCENT = Numeric(5, 2)


class UtilisationReport(SQLModel, table=True):
    __tablename__ = "utilisation_reports"
    __table_args__ = (
        # one report per right and year: a second is a 409
        UniqueConstraint("right_id", "year", name="utilisation_reports_right_year"),
        Index("utilisation_reports_created_at_id", "created_at", "id"),  # list order
        Index("utilisation_reports_year", "year"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    ore_mined_t: Decimal = Field(sa_column=Column(TONNES, nullable=False))
    mining_recovery_pct: Decimal = Field(sa_column=Column(PERCENT, nullable=False))
    processing_recovery_pct: Decimal | None = Field(None, sa_column=Column(PERCENT))
    comprehensive_utilisation_pct: Decimal | None = Field(None, sa_column=Column(PERCENT))
    waste_rock_t: Decimal = Field(sa_column=Column(TONNES, nullable=False))
    waste_rock_reused_t: Decimal = Field(sa_column=Column(TONNES, nullable=False))
    # the edition (and its version) that judged the report when it was filed
    edition_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("plan_editions.id"), nullable=False))
    edition_version: int = Field(sa_column=Column(Integer, nullable=False))
    findings: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    reported_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
