"""The bureau's annual reserve verification 年度资源储量动态核查 of each working mine (第五章第二节:
"自然资源行政管理部门组织专业人员进行矿山年度资源储量核查，考核矿山年度采掘计划执行和资源综合利用效果").
Not the holder's own reserve report (``filings``, kind ``reserve_verification``): this is the
bureau's check of it."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
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
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

AMOUNT = Numeric(16, 2)


class CheckStatus(StrEnum):
    owed = "owed"  # 待核查
    recorded = "recorded"  # 已核查
    overdue = "overdue"  # 逾期未核查 (may still be recorded, late)


class CheckResult(StrEnum):
    passed = "pass"  # 合格
    failed = "fail"  # 不合格


class VolumeUnit(StrEnum):
    t = "t"  # 吨
    m3 = "m3"  # 立方米


class ReserveCheck(SQLModel, table=True):
    __tablename__ = "reserve_checks"
    __table_args__ = (
        # one verification per right and year: the obligation job may run any number of times
        UniqueConstraint("right_id", "year", name="reserve_checks_right_year"),
        Index("reserve_checks_created_at_id", "created_at", "id"),  # list order
        Index("reserve_checks_status_due_on", "status", "due_on"),  # the overdue sweep
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))  # the year verified
    due_on: date = Field(sa_column=Column(Date, nullable=False))  # local date, Asia/Shanghai
    status: CheckStatus = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    overdue_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    # what the bureau records
    mining_plan_filing_id: UUID | None = Field(
        None, sa_column=Column(Uuid, ForeignKey("filings.id"))
    )
    utilisation_report_id: UUID | None = Field(
        None, sa_column=Column(Uuid, ForeignKey("utilisation_reports.id"))
    )
    unit: VolumeUnit | None = Field(None, sa_column=Column(String(4)))
    planned_volume: Decimal | None = Field(None, sa_column=Column(AMOUNT))
    mined_volume: Decimal | None = Field(None, sa_column=Column(AMOUNT))
    within_planned_faces: bool | None = Field(None, sa_column=Column(Boolean))
    reserves_consumed: Decimal | None = Field(None, sa_column=Column(AMOUNT))
    reserves_remaining: Decimal | None = Field(None, sa_column=Column(AMOUNT))
    checked_by: list[str] | None = Field(None, sa_column=Column(JSONB))
    checked_on: date | None = Field(None, sa_column=Column(Date))
    result: CheckResult | None = Field(None, sa_column=Column(String(8)))
    remarks: str | None = Field(None, sa_column=Column(Text))
    recorded_by: str | None = Field(None, sa_column=Column(String(200)))
    recorded_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    late: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
