"""Plan editions 规划版本: the numbers of one master plan, versioned as data (第七章)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, Date, DateTime, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from rights_api.plan.schemas import EditionStatus


class PlanEdition(SQLModel, table=True):
    """One edition; ``content`` holds its rules and geometry (validated by ``PlanContent`` once
    published; a draft may hold only some parts). An application is judged by the published
    edition with the latest ``effective_from`` not after its filing date."""

    __tablename__ = "plan_editions"
    __table_args__ = (
        # two published editions never take effect on the same day; drafts propose any date
        Index(
            "plan_editions_published_effective_from",
            "effective_from",
            unique=True,
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    status: EditionStatus = Field(EditionStatus.draft, sa_column=Column(String(12), nullable=False))
    title: str | None = Field(None, sa_column=Column(String(300)))
    period_start: date | None = Field(None, sa_column=Column(Date))
    period_end: date | None = Field(None, sa_column=Column(Date))
    effective_from: date | None = Field(None, sa_column=Column(Date))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    published_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    published_by: str | None = Field(None, sa_column=Column(String(200)))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def published(self) -> bool:
        return self.status == EditionStatus.published
