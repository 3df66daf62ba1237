"""What the list's API reads and writes (the contract: right_id, status, entry_date,
next_review_due; history and exit_notice on the detail)."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

OILFIELD_LISTING = {
    "id": "3f2a9c1e-7b4d-4a8e-9c0f-1d2e3f4a5b6c",
    "right_id": "9a1f2c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
    "holder_id": "5a3c1e7e-2f1d-4c55-9a3e-1f0f4b1f2a10",
    "holder_name": "中国石油天然气股份有限公司",
    "mine_name": "内蒙古二连盆地包尔-吉格森油田开采",
    "mineral": "petroleum",
    "status": "listed",
    "entry_date": "2021-03-28",
    "next_review_due": "2027-03-28",
    "benefits_suspended": False,
    "source": "reference",
}


class ListingPublic(BaseModel):
    id: UUID
    right_id: UUID
    holder_id: UUID
    holder_name: str | None
    mine_name: str
    mineral: str | None
    address: str | None = None
    contact_phone: str | None = None
    status: Literal["listed", "rectifying", "delisted"]
    entry_date: date
    next_review_due: date
    benefits_suspended: bool
    source: str = Field(
        description="evaluation, or reference (on the list before the plan, 第一章第二节三)"
    )
    delisted_on: date | None = None

    model_config = {"json_schema_extra": {"examples": [OILFIELD_LISTING]}}


class HistoryPublic(BaseModel):
    on: date
    action: str = Field(examples=["listed", "rectification_ordered", "relisted", "delisted"])
    detail: dict[str, Any]
    at: datetime


class ObligedMine(BaseModel):
    right_id: UUID
    mine_name: str
    holder_id: UUID
    holder_name: str | None


class Indicators(BaseModel):
    edition: str = Field(examples=["2021-2025"])
    period_end: date
    listed_count: int = Field(
        description="Mines on the list (listed or rectifying) 名录内绿色矿山数"
    )
    rectifying_count: int
    target: int = Field(description="The edition's target 规划目标", examples=[4])
    gap: int = Field(description="How many more are needed to reach the target")
    obliged_count: int = Field(description="New mines not yet on the list 尚未达标的新建矿山")
    obliged: list[ObligedMine]


class ListingFilters(BaseModel):
    status: Literal["listed", "rectifying", "delisted"] | None = None
