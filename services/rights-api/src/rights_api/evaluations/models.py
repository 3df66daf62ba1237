"""Who answers for each indicator of an edition (第七章一 规划实施责任考核)."""

from datetime import datetime
from uuid import UUID

from servicekit import clock
from sqlalchemy import Column, DateTime, ForeignKey, String, Uuid
from sqlmodel import Field, SQLModel


class IndicatorOwner(SQLModel, table=True):
    """The unit and the person responsible for one indicator of one edition, set by the bureau."""

    __tablename__ = "indicator_owners"

    edition_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("plan_editions.id"), primary_key=True)
    )
    code: str = Field(sa_column=Column(String(40), primary_key=True))
    unit: str = Field(sa_column=Column(String(200), nullable=False))
    person: str = Field(sa_column=Column(String(100), nullable=False))
    set_by: str = Field(sa_column=Column(String(200), nullable=False))
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
