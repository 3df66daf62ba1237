"""Restoration works 治理工程: of a mine, or of a legacy site."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime, Numeric
from sqlmodel import Field

from restoration_api.boundaries import Bounded


class Work(Bounded, table=True):
    """A restoration work item: of a mine (paid from its fund) or of a legacy site (paid from
    a program fund). A mine's work with a boundary is a restoration area on the map."""

    __tablename__ = "works"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID | None = Field(None, foreign_key="mining_rights.right_id", index=True)
    legacy_site_id: UUID | None = Field(None, foreign_key="legacy_sites.id", index=True)
    code: str = Field(max_length=40, unique=True)
    kind: str | None = Field(
        None, max_length=24, description="geological_environment or land_reclamation"
    )
    name: str = Field(max_length=200)
    area_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    estimated_cost_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    year: int
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
