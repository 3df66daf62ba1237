"""What the utilisation API reads and writes: three-rates reports 三率报表 and the yearly
overview of every producing mine against the edition's thresholds."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from contracts.mining import Mineral, MiningMethod, RightStatus
from pydantic import BaseModel, Field

from rights_api.plan.schemas import ThresholdSource, UtilisationRule

RULES_ZH = {
    UtilisationRule.mining_recovery: "开采回采率",
    UtilisationRule.processing_recovery: "选矿回收率",
    UtilisationRule.comprehensive_utilisation: "综合利用率",
    UtilisationRule.waste_rock_utilisation: "废石综合利用率",
}

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Tonnes = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Year = Annotated[int, Field(ge=2000, le=2100, examples=[2025])]

# 二连浩特市白音敖包萤石矿 (专栏一 No. 2: underground, 1万吨/年): waste rock reused below the
# plan's 80 % (第八章第三节), so the answer carries a finding
EXAMPLE = {
    "right_id": "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
    "year": 2025,
    "ore_mined_t": "10000",
    "mining_recovery_pct": "82.5",
    "processing_recovery_pct": "78.0",
    "comprehensive_utilisation_pct": "55.0",
    "waste_rock_t": "4000",
    "waste_rock_reused_t": "2500",
}

# 专栏一's producing granite mine without a report, and a fluorite mine below the plan's 80 %
# (白音敖包 was stopped in 2020 by 专栏一: its figures here show a report as if it produced)
OVERVIEW_EXAMPLE = {
    "year": 2025,
    "edition_id": "6a0f3e2b-1c4d-4b7a-9e8f-2d3c4b5a6978",
    "edition_code": "2021-2025",
    "edition_version": 1,
    "judged_on": "2026-12-05",
    "producing": 2,
    "reported": 1,
    "missing": 1,
    "below_threshold": 1,
    "mines": [
        {
            "right_id": "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
            "licence_no": "C1525002019997000000002",
            "mine_name": "二连浩特市白音敖包萤石矿",
            "holder_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "mineral": "fluorite",
            "method": "underground",
            "status": "producing",
            "standing": "reported",
            "report_id": "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f",
            "ore_mined_t": "10000",
            "waste_rock_t": "4000",
            "waste_rock_reused_t": "2500",
            "rates": [
                {
                    "rule": "waste_rock_utilisation",
                    "rule_zh": "废石综合利用率",
                    "actual": "62.50",
                    "threshold": "80",
                    "source": "plan",
                    "clause": "第八章第三节",
                    "below": True,
                }
            ],
            "below": ["waste_rock_utilisation"],
        },
        {
            "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
            "licence_no": "C1525002019997000000006",
            "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "holder_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            "mineral": "construction_granite",
            "method": "open_pit",
            "status": "producing",
            "standing": "missing",
            "report_id": None,
            "ore_mined_t": None,
            "waste_rock_t": None,
            "waste_rock_reused_t": None,
            "rates": [
                {
                    "rule": "mining_recovery",
                    "rule_zh": "开采回采率",
                    "actual": None,
                    "threshold": "90",
                    "source": "configuration",
                    "clause": "第四章第三节（《内蒙古自治区矿产资源“三率”管理暂行规定》）",
                    "below": False,
                }
            ],
            "below": [],
        },
    ],
}


class UtilisationReportCreate(BaseModel):
    right_id: UUID = Field(description="The mining right 采矿权")
    year: Year = Field(description="The year reported 报告年度")
    ore_mined_t: Tonnes = Field(description="Ore mined, tonnes 采出矿石量（吨）")
    mining_recovery_pct: Percent = Field(description="Mining recovery 开采回采率 (%)")
    processing_recovery_pct: Percent | None = Field(
        None, description="Processing recovery 选矿回收率 (%); null where the mine does not process"
    )
    comprehensive_utilisation_pct: Percent | None = Field(
        None, description="Comprehensive utilisation 综合利用率 (%)"
    )
    waste_rock_t: Tonnes = Field(description="Waste rock produced, tonnes 产生废石量（吨）")
    waste_rock_reused_t: Tonnes = Field(
        description="Waste rock reused (roads, backfill, building stone), tonnes 废石利用量（吨）"
    )

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class Finding(BaseModel):
    """A reported rate below the edition's threshold."""

    rule: UtilisationRule
    rule_zh: str = Field(examples=["废石综合利用率"])
    clause: str = Field(examples=["第八章第三节"])
    threshold: Decimal = Field(description="Minimum, %", examples=["80"])
    actual: Decimal = Field(description="Reported, %", examples=["62.50"])
    source: ThresholdSource = Field(description="plan, or configuration (not the plan's number)")


class UtilisationReportPublic(BaseModel):
    id: UUID
    right_id: UUID
    year: int
    ore_mined_t: Decimal
    mining_recovery_pct: Decimal
    processing_recovery_pct: Decimal | None
    comprehensive_utilisation_pct: Decimal | None
    waste_rock_t: Decimal
    waste_rock_reused_t: Decimal
    waste_rock_utilisation_pct: Decimal | None = Field(
        description="reused / produced × 100, 2 decimals; null without waste rock"
    )
    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    edition_version: int
    findings: list[Finding] = Field(description="Rates below the thresholds when filed")
    reported_by: str
    created_at: datetime
    version: int


class UtilisationReportFilters(BaseModel):
    """The filters of GET /utilisation-reports (query parameters)."""

    right_id: UUID | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class UtilisationQuery(BaseModel):
    """The query of GET /utilisation."""

    year: Year


class MineStanding(StrEnum):
    reported = "reported"  # 已报送
    missing = "missing"  # 未报送


class Rate(BaseModel):
    rule: UtilisationRule
    rule_zh: str
    actual: Decimal | None = Field(description="Reported, %; null when not reported / not given")
    threshold: Decimal | None = Field(description="Minimum, %; null when the edition sets none")
    source: ThresholdSource | None
    clause: str | None
    below: bool = Field(description="actual < threshold")


class MineUtilisation(BaseModel):
    right_id: UUID
    licence_no: str
    mine_name: str = Field(examples=["二连浩特市白音敖包萤石矿"])
    holder_id: UUID
    mineral: Mineral
    method: MiningMethod | None
    status: RightStatus
    standing: MineStanding
    report_id: UUID | None
    ore_mined_t: Decimal | None
    waste_rock_t: Decimal | None
    waste_rock_reused_t: Decimal | None
    rates: list[Rate] = Field(description="Every rule the edition or the report has, in order")
    below: list[UtilisationRule] = Field(description="The rules below their threshold")


class UtilisationOverview(BaseModel):
    year: int
    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    edition_version: int
    judged_on: date = Field(
        description="Today (Asia/Shanghai): thresholds as the edition has them now"
    )
    producing: int = Field(description="Mines listed")
    reported: int
    missing: int
    below_threshold: int = Field(description="Reported mines with at least one rate below")
    mines: list[MineUtilisation]

    model_config = {"json_schema_extra": {"examples": [OVERVIEW_EXAMPLE]}}
