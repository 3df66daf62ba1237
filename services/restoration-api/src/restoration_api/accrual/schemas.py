"""What the accrual API reads and writes. Coefficients are decimal strings, like money."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from contracts.mining import Mineral, MiningMethod
from pydantic import BaseModel, BeforeValidator, Field, model_validator
from servicekit.text import Name, Text

from restoration_api.bodies import body_config


def _decimal_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError('must be a decimal string such as "1.2", not a JSON number')
    return value


Factor = Annotated[Decimal, BeforeValidator(_decimal_string), Field(gt=0, max_digits=12)]

ILLUSTRATIVE = {
    "code": "illustrative-2021",
    "name": "示例提取标准 (illustrative, not the region's official coefficients)",
    "effective_from": "2021-01-01",
    "illustrative": True,
    "base_rates": {"construction_granite": "3.00", "construction_sand": "2.00"},
    "method_factors": {"open_pit": "1.2", "underground": "0.8"},
    "land_type_factors": {"grassland": "1.3", "bare_land": "1.0"},
    "region_factors": {"erenhot": "1.0"},
}


class RuleSetCreate(BaseModel):
    model_config = body_config(ILLUSTRATIVE)

    code: str = Field(min_length=1, max_length=60)
    name: Name = Field(min_length=1, max_length=200)
    effective_from: date
    effective_to: date | None = None
    illustrative: bool = Field(False, description="True for example figures, not official ones.")
    source: Text | None = Field(None, max_length=500, description="The regulation it comes from.")
    base_rates: dict[Mineral, Factor] = Field(
        min_length=1, description="Yuan per unit of last year's output (万吨 / 万m³), by mineral."
    )
    method_factors: dict[MiningMethod, Factor] = Field(min_length=1)
    land_type_factors: dict[str, Factor] = Field(min_length=1)
    region_factors: dict[str, Factor] = Field(min_length=1)

    @model_validator(mode="after")
    def _period(self) -> "RuleSetCreate":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class RuleSetPublic(BaseModel):
    id: UUID
    code: str
    name: str
    effective_from: date
    effective_to: date | None
    illustrative: bool
    source: str | None
    base_rates: dict[str, str]
    method_factors: dict[str, str]
    land_type_factors: dict[str, str]
    region_factors: dict[str, str]
    created_at: datetime


class AccrualCreate(BaseModel):
    model_config = body_config(
        {"year": 2026, "output": "6.0", "land_type": "grassland", "region": "erenhot"}
    )

    year: int = Field(ge=2000, le=2100, description="The year accrued for.")
    output: Annotated[Decimal, BeforeValidator(_decimal_string), Field(ge=0, max_digits=16)] = (
        Field(description="The previous year's output, in the mine's scale unit (e.g. 万m³).")
    )
    land_type: str = Field(min_length=1, max_length=40, examples=["grassland"])
    region: str = Field(min_length=1, max_length=40, examples=["erenhot"])


class AccrualPublic(BaseModel):
    id: UUID
    fund_id: UUID
    year: int
    rule_set_id: UUID
    rule_set_code: str
    output: Decimal
    land_type: str
    region: str
    factors: dict[str, str] = Field(description="base rate and the factors applied")
    rule_amount: str = Field(description="What the rule set gives.")
    plan_need: str = Field(description="What the restoration plan schedules up to this year.")
    required_before: str
    posted: str = Field(description="Accrued now: the requirement rises to max(rule, plan).")
    transfer_id: UUID | None
    created_at: datetime
