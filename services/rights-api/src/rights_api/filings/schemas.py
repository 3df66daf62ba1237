"""What the filings API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text

from rights_api.attachments.schemas import AttachmentPublic
from rights_api.filings.models import AttachmentPurpose, FilingKind, FilingStatus

# what each kind cannot be submitted without
REQUIRED_ATTACHMENTS = {
    FilingKind.annual_mining_plan: AttachmentPurpose.plan_map,
    FilingKind.reserve_verification: AttachmentPurpose.report,
}

# 乌希根楚二号建筑用花岗岩矿 (专栏一 No. 6): 6万m³/年
EXAMPLE = {
    "summary": "2027年计划开采建筑用花岗岩5.8万立方米，采场东帮自1180米台阶向下推进，"
    "同步实施已采区边坡复绿。",
    "figures": {"planned_output": "5.8", "unit": "10k_m3_per_year", "benches": 2},
}


class FilingSubmit(BaseModel):
    summary: Text = Field(min_length=1, max_length=4000, description="Summary 报送说明")
    figures: dict[str, str | int | Decimal | bool | None] | None = Field(
        None, description="Key figures (planned output, remaining reserves...) 主要指标"
    )

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class FilingPublic(BaseModel):
    id: UUID
    right_id: UUID
    kind: FilingKind
    year: int = Field(description="The year the filing is for", examples=[2027])
    due_on: date = Field(description="Local date (Asia/Shanghai) 报送期限", examples=["2026-12-31"])
    status: FilingStatus
    required_attachment: AttachmentPurpose
    created_at: datetime
    overdue_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    late: bool
    summary: str | None
    figures: dict | None
    attachments: list[AttachmentPublic]
    version: int


class FilingFilters(BaseModel):
    """The filters of GET /filings (query parameters)."""

    right_id: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    kind: FilingKind | None = None
    status: FilingStatus | None = None
