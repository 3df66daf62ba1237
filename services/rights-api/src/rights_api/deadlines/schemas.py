"""What GET /plan-editions/{id}/deadlines answers: each named deadline met, missed or open as of
a day, with its evidence."""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from rights_api.plan.schemas import Evidence


class State(StrEnum):
    open = "open"  # the day has not passed, not met yet
    met = "met"  # every piece of evidence arrived by the due date
    missed = "missed"  # the day passed without it (even if it arrived later: late)


class EvidenceItem(BaseModel):
    """One thing the deadline asks for, and whether (and when) it happened."""

    mine_name: str | None = Field(None, examples=["二连浩特市乌希根楚三号建筑用花岗岩矿"])
    right_id: UUID | None = None
    holder_id: UUID | None = None
    what: str = Field(
        description="restoration_accepted, right_closed, listed, exited, legacy_area_restored; "
        "or what is missing: not_accepted, not_closed, not_listed, not_in_register",
        examples=["not_closed"],
    )
    met: bool
    on: date | None = Field(None, description="When it happened, if it did.")
    late: bool = Field(False, description="It happened, but after the due date.")
    right_status: str | None = Field(None, examples=["closing"])


class NamedDeadlineStatus(BaseModel):
    id: str = Field(examples=["wuxigenchu-closure"])
    title_zh: str = Field(examples=["乌希根楚三号、乌希根楚北山建筑用花岗岩矿环境治理与闭坑"])
    due_on: date = Field(examples=["2021-12-31"])
    clause: str = Field(examples=["第二章第三节"])
    words_zh: str = Field(description="The plan's own words 规划原文")
    evidence_kind: Evidence
    state: State
    met_on: date | None = Field(
        None, description="When the last evidence arrived, once all has (after due_on: late)."
    )
    outstanding: bool = Field(
        description="Missed and still not done: a conformance finding (named_deadline_missed)."
    )
    evidence: list[EvidenceItem]
    numbers: dict[str, str] = Field(
        default_factory=dict,
        description="For an area target: required_km2, restored_km2 (by the due date), "
        "restored_km2_total",
        examples=[{"required_km2": "0.52", "restored_km2": "0", "restored_km2_total": "0"}],
    )


EXAMPLE = {
    "edition_id": "0b7f3c2e-8a51-4c6d-9e2f-1a3b5c7d9e01",
    "edition_code": "2021-2025",
    "as_of": "2026-12-06",
    "deadlines": [
        {
            "id": "wuxigenchu-closure",
            "title_zh": "乌希根楚三号、乌希根楚北山建筑用花岗岩矿环境治理与闭坑",
            "due_on": "2021-12-31",
            "clause": "第二章第三节",
            "words_zh": "2021年底前，……完成乌希根楚三号和乌希根楚北山建筑用花岗岩矿"
            "矿山环境治理工程，依法依规办理闭坑手续",
            "evidence_kind": "right_closed",
            "state": "missed",
            "met_on": None,
            "outstanding": True,
            "evidence": [
                {
                    "mine_name": "二连浩特市乌希根楚三号建筑用花岗岩矿",
                    "right_id": "6c0d5a8e-1f3b-4e2a-9d7c-2b8e4f1a0c37",
                    "holder_id": "3e9f2a71-5c4d-4b8e-a0f1-7d6c5b4a3928",
                    "what": "not_closed",
                    "met": False,
                    "on": None,
                    "late": False,
                    "right_status": "closing",
                }
            ],
            "numbers": {},
        }
    ],
}


class NamedDeadlines(BaseModel):
    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    as_of: date = Field(description="The local date judged on (today)")
    deadlines: list[NamedDeadlineStatus]

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}
