"""Legacy and orphan mine sites 历史遗留及无责任主体矿山 restored with public money
(第六章第二节四): what works and acceptances name when they are not a mine's."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, Numeric
from sqlmodel import Field

from restoration_api.boundaries import Bounded


class LegacySite(Bounded, table=True):
    """A site, with its boundary once surveyed (or a demo one flagged illustrative)."""

    __tablename__ = "legacy_sites"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    description: str | None = Field(None, max_length=1000)
    edition: str = Field(max_length=20, description="Plan edition the site belongs to.")
    damaged_area_ha: Decimal | None = Field(None, sa_column=Column(Numeric(12, 4)))
    fund_id: UUID | None = Field(None, foreign_key="funds.id")
    plan_clause: str | None = Field(None, max_length=100)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
