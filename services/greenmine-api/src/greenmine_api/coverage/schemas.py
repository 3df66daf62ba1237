"""What GET /green-mine-coverage answers: every producing mine on the green-mine path."""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field


class PathState(StrEnum):
    listed = "listed"  # on the list (listed, or rectifying with benefits suspended)
    applying = "applying"  # an entry application under way (filed … publicity)
    owes_standard = "owes_standard"  # neither: must reach the standard or leave the market


class CoveredMine(BaseModel):
    right_id: UUID
    mine_name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    holder_id: UUID
    holder_name: str | None = Field(None, examples=["二连浩特市先锋水泥制品有限公司"])
    mineral: str = Field(examples=["construction_granite"])
    state: PathState
    entry_date: date | None = Field(None, description="On the list since (listed)")
    rectifying: bool = Field(False, description="Listed, in a six-month rectification 限期整改")
    application_id: UUID | None = Field(None, description="The open application (applying)")
    due: date = Field(description="By when the standard must be reached", examples=["2025-12-31"])
    overdue: bool = Field(description="Not listed and the day has passed (as of today)")
    clause: str = Field(examples=["第二章第三节, 专栏二; 第六章第一节"])


EXAMPLE = {
    "edition": "2021-2025",
    "as_of": "2026-12-06",
    "producing": 2,
    "listed": 1,
    "share": 0.5,
    "target": 1.0,
    "target_count": 4,
    "due": "2025-12-31",
    "clause": "第二章第三节, 专栏二; 第六章第一节",
    "mines": [
        {
            "right_id": "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
            "mine_name": "内蒙古二连盆地包尔-吉格森油田开采",
            "holder_id": "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f",
            "holder_name": "中国石油天然气股份有限公司",
            "mineral": "petroleum",
            "state": "listed",
            "entry_date": "2021-03-28",
            "rectifying": False,
            "application_id": None,
            "due": "2025-12-31",
            "overdue": False,
            "clause": "第二章第三节, 专栏二; 第六章第一节",
        },
        {
            "right_id": "6c0d5a8e-1f3b-4e2a-9d7c-2b8e4f1a0c36",
            "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "holder_id": "3e9f2a71-5c4d-4b8e-a0f1-7d6c5b4a3927",
            "holder_name": "二连浩特市先锋水泥制品有限公司",
            "mineral": "construction_granite",
            "state": "owes_standard",
            "entry_date": None,
            "rectifying": False,
            "application_id": None,
            "due": "2025-12-31",
            "overdue": True,
            "clause": "第二章第三节, 专栏二; 第六章第一节",
        },
    ],
}


class Coverage(BaseModel):
    edition: str = Field(examples=["2021-2025"])
    as_of: date = Field(description="The local date judged on (today)")
    producing: int = Field(description="Producing mines 生产矿山 (mining rights producing)")
    listed: int = Field(description="Of them, on the green-mine list 纳入绿色矿山名录")
    share: float | None = Field(description="listed / producing (null without producing mines)")
    target: float = Field(1.0, description="Every producing mine (100 %) by the due date")
    target_count: int = Field(
        description="专栏二's 绿色矿山数量 (预期性) of the edition", examples=[4]
    )
    due: date = Field(description="The edition's end: 2025年底", examples=["2025-12-31"])
    clause: str
    mines: list[CoveredMine]

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}
