"""What the works, acceptance, closure-case and land-balance API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from restoration_api.ledger.money import Yuan

GRANITE_MINE = "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01"


class _OneTarget(BaseModel):
    right_id: UUID | None = None
    legacy_site_id: UUID | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.right_id is None) == (self.legacy_site_id is None):
            raise ValueError("name exactly one of right_id (a mine) or legacy_site_id")
        return self


class WorkCreate(_OneTarget):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "right_id": GRANITE_MINE,
                    "name": "乌希根楚二号 采场边坡削坡及覆土绿化",
                    "area_ha": "1.2",
                    "estimated_cost": "120000.00",
                    "year": 2026,
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    area_ha: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    estimated_cost: Yuan
    year: int = Field(ge=2000, le=2100)


class WorkPublic(BaseModel):
    id: UUID
    right_id: UUID | None
    legacy_site_id: UUID | None
    name: str
    area_ha: Decimal
    estimated_cost: str
    spent: str = Field(description="Expenditures posted against this work, net of reversals.")
    year: int
    created_at: datetime


class AcceptanceCreate(_OneTarget):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "right_id": GRANITE_MINE,
                    "closure": True,
                    "passed": True,
                    "accepted_area_ha": "3.86",
                    "inspected_on": "2027-06-18",
                },
                {
                    "right_id": GRANITE_MINE,
                    "passed": False,
                    "accepted_area_ha": "0",
                    "reasons": ["边坡未削至设计坡度", "覆土厚度不足30cm"],
                    "inspected_on": "2027-05-10",
                },
            ]
        },
    )

    work_id: UUID | None = None
    closure: bool = Field(
        False, description="This inspection decides the mine's open closure case (闭坑验收)."
    )
    passed: bool
    accepted_area_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)
    reasons: list[str] = Field(default_factory=list, description="Why it failed (required then).")
    inspected_on: date

    @model_validator(mode="after")
    def _reasons_when_failed(self):
        if not self.passed and not self.reasons:
            raise ValueError("a failed acceptance lists its reasons")
        if self.closure and self.right_id is None:
            raise ValueError("a closure acceptance names the mine (right_id)")
        return self


class AcceptancePublic(BaseModel):
    id: UUID
    right_id: UUID | None
    legacy_site_id: UUID | None
    work_id: UUID | None
    closure_case_id: UUID | None
    passed: bool
    accepted_area_ha: Decimal
    reasons: list[str]
    inspected_on: date
    inspected_by: str
    created_at: datetime


class ClosureCasePublic(BaseModel):
    id: UUID
    right_id: UUID
    application_id: UUID = Field(description="The rights-api closure application.")
    holder_id: UUID
    status: str = Field(examples=["open", "passed", "cancelled"])
    closure_plan_id: UUID | None = Field(None, description="The closure restoration plan filed.")
    acceptance_id: UUID | None
    opened_at: datetime
    decided_at: datetime | None


class LandBalanceSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"occupied_ha": "1.5", "restored_ha": "1.5"}]},
    )

    occupied_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)
    restored_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)


class LandBalancePublic(BaseModel):
    right_id: UUID
    mine_name: str
    year: int
    occupied_ha: Decimal = Field(description="Land newly occupied or damaged that year 占用.")
    restored_ha: Decimal = Field(description="Land restored that year 治理.")
    balanced: bool = Field(description="Dynamic balance 动态平衡: restored ≥ occupied.")
    restoration_rate: Decimal | None = Field(
        description="应治尽治率 (%): restored / occupied × 100; null when nothing was occupied."
    )


class LandBalanceYear(BaseModel):
    year: int
    mines: list[LandBalancePublic]
    occupied_ha: Decimal
    restored_ha: Decimal
    restoration_rate: Decimal | None
