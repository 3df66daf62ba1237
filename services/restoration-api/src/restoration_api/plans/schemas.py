"""What the plans and obligations API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from servicekit.text import Name

from restoration_api.bodies import body_config
from restoration_api.money import Yuan

GRANITE_MINE = "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01"


class ScheduleYear(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100, examples=[2026])
    cost: Yuan = Field(description="Restoration spending planned that year (yuan).")
    area_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4, examples=["0.8"])


class PlanCreate(BaseModel):
    model_config = body_config(
        {
            "right_id": GRANITE_MINE,
            "kind": "protection_reclamation",
            "title": "二连浩特市乌希根楚二号建筑用花岗岩矿矿山地质环境保护与土地复垦方案",
            "estimated_cost": "360000.00",
            "area_ha": "3.86",
            "schedule": [
                {"year": 2026, "cost": "120000.00", "area_ha": "1.2"},
                {"year": 2027, "cost": "120000.00", "area_ha": "1.3"},
                {"year": 2028, "cost": "120000.00", "area_ha": "1.36"},
            ],
            "approved_on": "2025-12-20",
        }
    )

    right_id: UUID
    kind: str = Field(
        pattern="^(protection_reclamation|closure)$",
        description="protection_reclamation 保护与土地复垦方案, closure 闭坑矿山环境恢复治理方案",
    )
    title: Name = Field(min_length=1, max_length=200)
    estimated_cost: Yuan
    area_ha: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    schedule: list[ScheduleYear] = Field(min_length=1)
    approved_on: date | None = None

    @model_validator(mode="after")
    def _one_entry_per_year(self) -> "PlanCreate":
        years = [s.year for s in self.schedule]
        if len(set(years)) != len(years):
            raise ValueError("schedule lists a year twice")
        return self


class ScheduleYearPublic(BaseModel):
    year: int
    cost: str
    area_ha: Decimal


class PlanPublic(BaseModel):
    id: UUID
    right_id: UUID
    kind: str
    title: str
    estimated_cost: str
    area_ha: Decimal
    schedule: list[ScheduleYearPublic]
    approved_on: date | None
    created_at: datetime


class ObligationSubmit(BaseModel):
    model_config = body_config({"document_ref": "2027年度矿山地质环境治理计划书.pdf"})

    document_ref: str = Field(min_length=1, max_length=300)


class ObligationPublic(BaseModel):
    id: UUID
    right_id: UUID
    holder_id: UUID
    kind: str = Field(examples=["annual_restoration_plan"])
    year: int
    due_on: date
    status: str = Field(examples=["due", "submitted", "overdue"])
    document_ref: str | None
    submitted_at: datetime | None
