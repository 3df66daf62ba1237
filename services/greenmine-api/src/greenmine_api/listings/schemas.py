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
        description="evaluation, or reference (on the list before the plan, 专栏一)"
    )
    delisted_on: date | None = None

    model_config = {"json_schema_extra": {"examples": [OILFIELD_LISTING]}}


class HistoryPublic(BaseModel):
    on: date
    action: str = Field(examples=["listed", "rectification_ordered", "relisted", "delisted"])
    detail: dict[str, Any]
    at: datetime


class ExitNoticePublic(BaseModel):
    number: str = Field(examples=["二自然资绿退〔2026〕1号"])
    reason: str = Field(examples=["mine_closed"])
    text_zh: str
    published_on: date


class RectificationPublic(BaseModel):
    id: UUID
    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str = Field(examples=["review_failed", "complaint", "compliance_overdue"])
    detail: str | None
    ordered_on: date
    due_on: date
    status: str = Field(examples=["open", "passed", "failed", "overdue", "closed"])
    decision_note: str | None
    decided_on: date | None


class SpotCheckResult(BaseModel):
    spot_check_id: UUID
    title: str
    drawn_at: datetime
    published_at: datetime | None
    compliant: bool
    findings: str


class ListingDetail(ListingPublic):
    history: list[HistoryPublic]
    exit_notice: ExitNoticePublic | None = None
    rectifications: list[RectificationPublic]
    spot_checks: list[SpotCheckResult]


class Removal(BaseModel):
    reason: Literal["violation", "major_accident"] = Field(
        description="违法违规 or 重大安全、环境事故 (other removals follow from events, decisions)"
    )
    detail: str = Field(max_length=2000, examples=["2026年10月发生重大环境污染事故"])


class VoluntaryExit(BaseModel):
    reason: str = Field(max_length=1000, examples=["企业转型，申请退出绿色矿山名录"])


class ListedInfo(BaseModel):
    """The fields a change request may change; the holder never changes (not transferable)."""

    model_config = {"extra": "forbid"}

    mine_name: str | None = Field(None, max_length=200)
    holder_name: str | None = Field(
        None, max_length=200, description="A renamed holder, same credit code"
    )
    address: str | None = Field(None, max_length=300)
    contact_phone: str | None = Field(None, max_length=40, examples=["0479-7519999"])


class ChangeRequestCreate(BaseModel):
    changes: ListedInfo
    reason: str = Field(max_length=1000, examples=["企业名称变更，统一社会信用代码不变"])


class ChangeRequestPublic(BaseModel):
    id: UUID
    listing_id: UUID
    holder_id: UUID
    changes: dict[str, Any]
    reason: str
    status: str
    decision_note: str | None
    filed_at: datetime
    decided_at: datetime | None


class Decision(BaseModel):
    approve: bool
    note: str | None = Field(None, max_length=1000)


class RectificationDecision(BaseModel):
    passed: bool = Field(description="The bureau's verification of the rectification 整改复核")
    note: str = Field(max_length=2000, examples=["整改完成，复核合格"])
    publicity_starts_on: date | None = Field(
        None, description="Re-listing publicity start (default today)"
    )


class PublicityRef(BaseModel):
    id: UUID
    ends_on: date
