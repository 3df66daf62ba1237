"""Annual filings 年度报送: next year's mining plan and the year's reserve verification."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class FilingKind(StrEnum):
    annual_mining_plan = "annual_mining_plan"  # 年度采掘计划 (with its plan map 采掘计划图)
    reserve_verification = "reserve_verification"  # 年度资源储量动态核查


class FilingStatus(StrEnum):
    owed = "owed"  # 待报送
    submitted = "submitted"  # 已报送
    overdue = "overdue"  # 逾期未报送 (may still be submitted, late)


class AttachmentPurpose(StrEnum):
    plan_map = "plan_map"  # 采掘计划图
    plan = "plan"  # 计划文本
    report = "report"  # 储量核查报告
    other = "other"


class Filing(SQLModel, table=True):
    __tablename__ = "filings"
    __table_args__ = (
        # one obligation per right, kind and year: the scheduled job may run any number of times
        UniqueConstraint("right_id", "kind", "year", name="filings_right_kind_year"),
        Index("filings_created_at_id", "created_at", "id"),  # list order
        Index("filings_status_due_on", "status", "due_on"),  # the overdue sweep
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    kind: FilingKind = Field(sa_column=Column(String(32), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))  # the year the filing is for
    due_on: date = Field(sa_column=Column(Date, nullable=False))  # local date, Asia/Shanghai
    status: FilingStatus = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    overdue_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    submitted_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    submitted_by: str | None = Field(None, sa_column=Column(String(200)))
    late: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    summary: str | None = Field(None, sa_column=Column(Text))
    figures: dict[str, Any] | None = Field(None, sa_column=Column(JSONB))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))


class FilingAttachment(SQLModel, table=True):
    __tablename__ = "filing_attachments"

    filing_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("filings.id"), primary_key=True))
    sha256: str = Field(
        sa_column=Column(String(64), ForeignKey("attachments.sha256"), primary_key=True)
    )
    purpose: AttachmentPurpose = Field(sa_column=Column(String(16), nullable=False))
    attached_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    attached_by: str = Field(sa_column=Column(String(200), nullable=False))
