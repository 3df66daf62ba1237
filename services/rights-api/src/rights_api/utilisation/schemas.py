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
