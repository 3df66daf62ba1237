"""Plan indicators 规划指标: where the register stands against the edition in force."""

from datetime import date
from decimal import Decimal

from contracts.mining import Mineral, ScaleUnit
from pydantic import BaseModel, Field

from rights_api.plan.schemas import Target


class CountVsCap(BaseModel):
    name_zh: str = Field(examples=["本市发证普通建筑用砂石矿及小型非金属矿山数量"])
    minerals: list[Mineral]
    mines: int = Field(description="Live mines now 现有（未闭坑）")
    max_mines: int | None
    output: Decimal | None = Field(None, description="Sum of licensed yearly output")
    max_output: Decimal | None = None
    unit: ScaleUnit | None = None
    within: bool
    clause: str


class NewRightsVsPlan(BaseModel):
    granted: int = Field(description="New mining rights granted in the plan period")
    planned: int
    by_mineral: dict[Mineral, dict[str, int]] = Field(
        examples=[{"construction_sand": {"granted": 1, "planned": 2}}]
    )
    granted_area_km2: Decimal
    planned_area_km2: Decimal
    clause: str


class Indicators(BaseModel):
    edition: str = Field(examples=["2021-2025"])
    period_start: date
    period_end: date
    as_of: date
    city_small_mines: CountVsCap
    mine_caps: list[CountVsCap] = Field(description="专栏四 per mineral")
    new_rights: NewRightsVsPlan
    targets: list[Target] = Field(description="The plan's 2025 targets (专栏二), for reference")
