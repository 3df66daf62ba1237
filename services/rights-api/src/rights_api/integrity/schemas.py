"""What the integrity API shows."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text

ENTRY_EXAMPLE = {
    "id": "5d3c8c1e-8f55-4a4b-9d0e-0c7a3f0f2b11",
    "seq": 42,
    "holder_id": "3f1e2d4c-5b6a-4789-8abc-def012345678",
    "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
    "kind": "filing_overdue",
    "severity": "serious",
    "clause": "第五章第二节",
    "summary_zh": "2026年度采掘计划逾期未报送",
    "occurred_at": "2027-01-01T00:05:00Z",
    "source_event_id": "7a9e4c52-1f0b-4d8e-b3a2-5c6d7e8f9a01",
    "source_type": "rights.filing.overdue",
    "detail": {"kind": "annual_mining_plan", "year": 2026, "due_on": "2026-12-31"},
    "corrects_entry_id": None,
    "corrected_by_entry_id": None,
    "recorded_at": "2027-01-01T00:05:02Z",
}


class IntegrityEntryPublic(BaseModel):
    id: UUID
    seq: int = Field(description="Position in the feed 顺序号")
    holder_id: UUID
    right_id: UUID | None
    kind: str = Field(examples=["filing_overdue", "green_mine_removed", "correction"])
    severity: str = Field(description="info, minor or serious 严重", examples=["serious"])
    clause: str = Field(examples=["第五章第二节"])
    summary_zh: str
    occurred_at: datetime
    source_event_id: str = Field(
        description="The CloudEvent id the entry records (a correction: correction:<entry id>)"
    )
    source_type: str = Field(examples=["rights.filing.overdue"])
    detail: dict[str, Any]
    corrects_entry_id: UUID | None = Field(description="The entry this one corrects")
    corrected_by_entry_id: UUID | None = Field(
        None, description="The correction that voids this entry for the grade and lists"
    )
    recorded_at: datetime

    model_config = {"json_schema_extra": {"examples": [ENTRY_EXAMPLE]}}


class Grade(BaseModel):
    rule: str = Field(examples=["integrity-grade-v1"])
    grade: str = Field(description="A 守信, B 基本守信, C 失信风险, D 严重失信", examples=["C"])
    serious: int = Field(description="Uncorrected serious entries in the window")
    minor: int = Field(description="Uncorrected minor entries in the window")
    window_from: datetime


class IntegrityRecord(BaseModel):
    """A holder's integrity record 矿山企业诚信档案."""

    holder_id: UUID
    holder_name: str
    credit_code: str
    entries: list[IntegrityEntryPublic] = Field(description="Oldest first, never changed")
    grade: Grade

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "holder_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                    "holder_name": "二连浩特市先锋水泥制品有限公司",
                    "credit_code": "91152501DEM0000065",
                    "entries": [
                        {
                            **ENTRY_EXAMPLE,
                            "holder_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                            "kind": "filing_submitted_on_time",
                            "severity": "info",
                            "summary_zh": "2026年度采掘计划按期报送",
                            "occurred_at": "2026-12-20T03:00:00Z",
                            "source_type": "rights.filing.submitted",
                        }
                    ],
                    "grade": {
                        "rule": "integrity-grade-v1",
                        "grade": "A",
                        "serious": 0,
                        "minor": 0,
                        "window_from": "2023-12-06T00:00:00Z",
                    },
                }
            ]
        }
    }


class Correction(BaseModel):
    reason: Text = Field(
        min_length=1,
        max_length=2000,
        description="Why the entry is wrong 更正理由",
        examples=["该年度采掘计划已于2026年12月28日纸质报送备案，系统补录，逾期记录有误"],
    )


class AbnormalEntry(BaseModel):
    """A serious entry as published 异常名录: the enterprise, not its people."""

    entry_id: UUID
    holder_id: UUID
    holder_name: str = Field(examples=["二连浩特市乌希根楚石材有限公司"])
    credit_code: str
    right_id: UUID | None
    kind: str
    clause: str
    summary_zh: str
    occurred_at: datetime


class Feed(BaseModel):
    """A page of the feed 信用信息共享: entries after `after`, in `seq` order."""

    entries: list[IntegrityEntryPublic]
    next_after: int = Field(description="Send as `after` for the next page (same when empty)")
