from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field


class DisclosureYear(BaseModel):
    year: int
    accrued: str = Field(description="基金提取 (yuan), net of reversals")
    deposited: str = Field(description="基金缴存, incl. converted 保证金")
    spent: str = Field(description="基金使用")
    refunded: str
    plan_cost: str = Field(description="What the restoration plan schedules for the year")
    plan_area_ha: Decimal
    works_area_ha: Decimal = Field(description="Area of works registered for the year")
    accepted_area_ha: Decimal = Field(description="Area accepted in the year 验收面积")


class Disclosure(BaseModel):
    """What 矿业权人勘查开采信息公示系统 shows of a mine's fund and plan (第六章第二节二)."""

    right_id: UUID
    licence_no: str = Field(examples=["C1525012010057130066321"])
    mine_name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    holder_name: str | None
    fund_status: str | None
    years: list[DisclosureYear]
