"""Restoration plans 矿山地质环境保护与土地复垦方案 / 闭坑治理方案 and the annual obligations
(年度治理计划书, 年度报告) of 第六章第二节二."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class RestorationPlan(SQLModel, table=True):
    __tablename__ = "restoration_plans"
    __table_args__ = (Index("restoration_plans_right_kind", "right_id", "kind"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mining_rights.right_id")
    kind: str = Field(max_length=24, description="protection_reclamation or closure")
    title: str = Field(max_length=200)
    estimated_cost_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    area_ha: Decimal = Field(sa_column=Column(Numeric(12, 4), nullable=False))
    # [{"year": 2026, "cost_fen": 12000000, "area_ha": "1.2"}], the yearly schedule 进度安排
    schedule: list = Field(sa_column=Column(JSONB, nullable=False))
    approved_on: date | None = Field(None, sa_column=Column(Date))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Obligation(SQLModel, table=True):
    __tablename__ = "obligations"
    __table_args__ = (
        UniqueConstraint("right_id", "kind", "year", name="obligations_right_kind_year"),
        Index("obligations_status_due", "status", "due_on"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mining_rights.right_id")
    holder_id: UUID
    kind: str = Field(max_length=40)  # annual_restoration_plan | annual_restoration_report
    year: int
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(max_length=16)  # due | submitted | overdue
    document_ref: str | None = Field(None, max_length=300)
    submitted_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
