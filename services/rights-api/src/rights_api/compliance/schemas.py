"""What the compliance API reads and writes."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from contracts.mining import RightStatus
from pydantic import BaseModel, Field
from servicekit.text import Text

from rights_api.compliance.models import OrderStatus


class Violation(StrEnum):
    out_of_bounds_mining = "out_of_bounds_mining"
    out_of_level_mining = "out_of_level_mining"
    plan_nonconforming = "plan_nonconforming"  # opened from a conformance finding (restrict)
    below_min_scale_exit = "below_min_scale_exit"  # opened from a conformance finding (exit)
    no_annual_mining_plan = "no_annual_mining_plan"
    no_reserve_report = "no_reserve_report"
    unsafe_slope = "unsafe_slope"
    environmental_damage = "environmental_damage"
    other = "other"


VIOLATIONS_ZH = {
    Violation.out_of_bounds_mining: "越界开采",
    Violation.out_of_level_mining: "超层越界开采",
    Violation.plan_nonconforming: "不符合规划开采条件（整改或整合）",
    Violation.below_min_scale_exit: "达不到最低开采规模（限期退出）",
    Violation.no_annual_mining_plan: "未报送年度采掘计划",
    Violation.no_reserve_report: "未报送年度资源储量报告",
    Violation.unsafe_slope: "边坡安全隐患",
    Violation.environmental_damage: "矿山地质环境破坏",
    Violation.other: "其他违法违规行为",
}

EXAMPLE = {
    "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
    "inspection_id": "5d2c8a31-71f4-4d0e-9b8e-0c9a7d3e1f22",
    "violation": "out_of_bounds_mining",
    "description": "乌希根楚二号建筑用花岗岩矿东帮采掘工作面越出采矿许可范围约30米，"
    "责令限期退回矿区范围内并恢复治理。",
    "due_on": "2026-07-15",
}


class OrderCreate(BaseModel):
    right_id: UUID = Field(description="The mining right 矿业权")
    inspection_id: UUID | None = Field(None, description="The inspection that found it 检查记录")
    violation: Violation = Field(
        description="Violation 违法违规类型: "
        + ", ".join(f"{k.value} ({v})" for k, v in VIOLATIONS_ZH.items()),
        examples=["out_of_bounds_mining"],
    )
    description: Text = Field(
        min_length=1, max_length=4000, description="What must be fixed 整改要求"
    )
    due_on: date = Field(description="Deadline, local date (Asia/Shanghai) 整改期限")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class OrderResolve(BaseModel):
    resolution: Text = Field(
        min_length=1,
        max_length=4000,
        description="How it was fixed 整改情况",
        examples=["已退回矿区范围内作业，越界区域已回填并复绿，经复查合格。"],
    )
    resume_mine: bool = Field(
        True,
        description="When this order's overdue suspended the mine, return it to the status it "
        "had before (停产整治 ends when the violation is fixed).",
    )


class OrderFilters(BaseModel):
    right_id: UUID | None = None
    status: OrderStatus | None = None


class OrderPublic(BaseModel):
    id: UUID
    right_id: UUID
    inspection_id: UUID | None
    violation: Violation
    violation_zh: str
    description: str
    due_on: date
    status: OrderStatus
    issued_by: str
    issued_at: datetime
    overdue_at: datetime | None
    suspended_from: RightStatus | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    mine_resumed: bool
    version: int
