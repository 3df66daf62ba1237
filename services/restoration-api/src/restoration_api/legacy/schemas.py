"""What the legacy-site, target and indicator API answers and takes."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from servicekit.text import Name

from restoration_api.bodies import body_config


class LegacySitePublic(BaseModel):
    id: UUID
    code: str
    name: str
    description: str | None
    edition: str
    damaged_area_ha: Decimal | None
    fund_id: UUID | None
    plan_clause: str | None
    works: int
    spent: str = Field(description="Program-fund expenditures on its works (yuan).")
    accepted_area_ha: Decimal
    boundary: dict[str, Any] | None = Field(
        description="GeoJSON Polygon/MultiPolygon in CGCS2000 lon/lat; null until surveyed."
    )
    boundary_illustrative: bool = Field(description="The boundary is demo data 示意.")
    created_at: datetime


class TargetSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(
        pattern="^(legacy_restored_km2|land_reclaimed_ha|restoration_rate_pct)$",
        description="legacy_restored_km2 历史遗留矿山治理面积, land_reclaimed_ha 矿山土地复垦面积, "
        "restoration_rate_pct 应治尽治率",
    )
    value: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    unit: str = Field(max_length=16, examples=["km2", "ha", "%"])
    binding: bool = Field(False, description="约束性 (binding) or 预期性 (expected).")
    clause: str = Field(max_length=100, examples=["专栏二"])
    name_zh: Name = Field(max_length=100)


class TargetsSet(BaseModel):
    model_config = body_config(
        {
            "period_from": 2021,
            "period_to": 2025,
            "targets": [
                {
                    "indicator": "legacy_restored_km2",
                    "value": "0.52",
                    "unit": "km2",
                    "binding": True,
                    "clause": "专栏二",
                    "name_zh": "历史遗留矿山地质环境治理恢复面积",
                }
            ],
        }
    )

    period_from: int = Field(ge=2000, le=2100)
    period_to: int = Field(ge=2000, le=2100)
    targets: list[TargetSet] = Field(min_length=1)

    @model_validator(mode="after")
    def _period(self) -> "TargetsSet":
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self


class Indicator(BaseModel):
    indicator: str
    name_zh: str
    unit: str
    target: Decimal
    actual: Decimal | None = Field(description="null when nothing was reported yet.")
    met: bool
    binding: bool
    clause: str


class Indicators(BaseModel):
    edition: str
    period_from: int
    period_to: int
    indicators: list[Indicator]
