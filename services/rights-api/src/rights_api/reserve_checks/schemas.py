"""What the reserve-verification API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text

from rights_api.reserve_checks.models import CheckResult, CheckStatus, VolumeUnit
from rights_api.utilisation.schemas import UtilisationReportPublic

Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Name = Annotated[str, Field(min_length=1, max_length=100)]

# 乌希根楚二号建筑用花岗岩矿 (专栏一 No. 6: 6万m³/年)
EXAMPLE = {
    "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
    "year": 2025,
    "unit": "m3",
    "planned_volume": "60000",
    "mined_volume": "58200",
    "within_planned_faces": True,
    "reserves_consumed": "61300",
    "reserves_remaining": "412000",
    "checked_by": ["巴特尔（地质工程师）", "王海军（测量工程师）"],
    "checked_on": "2026-03-18",
    "result": "pass",
    "remarks": "采掘计划执行率97%，作业面均在年度采掘计划工程分布图范围内。",
}


class ReserveCheckRecord(BaseModel):
    right_id: UUID = Field(description="The mining right 采矿权")
    year: int = Field(ge=2000, le=2100, description="The year verified 核查年度", examples=[2025])
    mining_plan_filing_id: UUID | None = Field(
        None,
        description="The right's annual mining plan 年度采掘计划 for the year (a filing of kind "
        "annual_mining_plan); found by itself when omitted",
    )
    utilisation_report_id: UUID | None = Field(
        None, description="The right's three-rates report for the year; found when omitted"
    )
    unit: VolumeUnit = Field(description="Unit of the volumes and reserves: t or m3")
    planned_volume: Amount | None = Field(None, description="Planned in the mining plan 计划采掘量")
    mined_volume: Amount = Field(description="Actually mined 实际采掘量")
    within_planned_faces: bool = Field(
        description="Mined inside the mining plan's working faces 是否在采掘计划工程范围内"
    )
    reserves_consumed: Amount = Field(description="Reserves consumed 动用资源储量")
    reserves_remaining: Amount = Field(description="Reserves left 保有资源储量")
    checked_by: list[Name] = Field(
        min_length=1, max_length=20, description="The professionals who checked 核查专业人员"
    )
    checked_on: date = Field(description="Day of the check (local date, not in the future)")
    result: CheckResult = Field(description="pass 合格 / fail 不合格")
    remarks: Text | None = Field(
        None, max_length=4000, description="Findings 核查意见; required when the result is fail"
    )

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class ReserveCheckPublic(BaseModel):
    id: UUID
    right_id: UUID
    year: int
    due_on: date = Field(description="The bureau's deadline (local date)")
    status: CheckStatus
    created_at: datetime
    overdue_at: datetime | None
    mining_plan_filing_id: UUID | None
    mining_plan_status: str | None = Field(
        description="The linked mining plan filing's status (owed, submitted, overdue)"
    )
    utilisation_report: UtilisationReportPublic | None = Field(
        description="The reported rates, with the findings they had"
    )
    unit: VolumeUnit | None
    planned_volume: Decimal | None
    mined_volume: Decimal | None
    plan_execution_pct: Decimal | None = Field(description="mined / planned × 100")
    within_planned_faces: bool | None
    reserves_consumed: Decimal | None
    reserves_remaining: Decimal | None
    checked_by: list[str] | None
    checked_on: date | None
    result: CheckResult | None
    remarks: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    late: bool
    version: int


class ReserveCheckFilters(BaseModel):
    right_id: UUID | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: CheckStatus | None = None
