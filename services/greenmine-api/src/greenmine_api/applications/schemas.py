"""What the applications API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name, Text

from greenmine_api.applications.models import ApplicationKind
from greenmine_api.standards.schemas import EvaluationResult

OILFIELD = "9a1f2c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


class EvaluatorOrgCreate(BaseModel):
    id: str = Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="The `org_id` its evaluators' tokens carry 评估机构标识",
        examples=["nmg-lvkuang-pinggu"],
    )
    name: Name = Field(max_length=200, examples=["内蒙古绿色矿山评估咨询有限公司"])
    credit_code: str = Field(min_length=18, max_length=18, examples=["91150100MA0N1XQW3K"])


class EvaluatorOrgPublic(EvaluatorOrgCreate):
    # as stored: a value written before names were checked still reads back (servicekit.text)
    name: str
    active: bool
    registered_at: datetime


class ApplicationCreate(BaseModel):
    right_id: UUID = Field(examples=[OILFIELD])
    kind: ApplicationKind = Field(
        ApplicationKind.entry, description="entry 遴选 or review 三年复查 of a listed mine"
    )
    statement: Text | None = Field(
        None, max_length=2000, examples=["申请纳入二连浩特市绿色矿山名录"]
    )


class ApplicationFilters(BaseModel):
    status: str | None = None


class Assignment(BaseModel):
    org_id: str = Field(max_length=64, examples=["nmg-lvkuang-pinggu"])


class TeamMember(BaseModel):
    name: Name = Field(max_length=50, examples=["李明"])
    title: Name = Field(max_length=100, examples=["高级工程师（采矿）"])


class EvaluationSubmit(BaseModel):
    """Sent as the `evaluation` form field (JSON) next to the `report` file. A total or a
    verdict is refused: the standard computes them."""

    model_config = {"extra": "forbid"}

    scores: dict[str, Decimal] = Field(
        description="Points per item code of the standard 各项得分",
        examples=[{"environment.appearance": "60", "environment.greening": "70"}],
    )
    prerequisites: dict[str, bool] = Field(
        description="Each mandatory prerequisite: met or not 必备条件",
        examples=[{"valid_licence": True, "reserves_3y": True}],
    )
    team: list[TeamMember] = Field(
        min_length=5, max_length=50, description="At least 5 evaluators 评估组不少于5人"
    )


class EvaluationPublic(BaseModel):
    id: UUID
    org_id: str
    standard_id: UUID
    scores: dict[str, Decimal]
    prerequisites: dict[str, bool]
    team: list[TeamMember]
    result: EvaluationResult
    passed: bool
    report_filename: str
    report_size: int
    report_sha256: str
    submitted_at: datetime


class PublicityOpen(BaseModel):
    starts_on: date | None = Field(
        None,
        description="First day of publicity (default: today, Asia/Shanghai)",
        examples=["2025-09-30"],
    )


class ApplicationPublic(BaseModel):
    id: UUID
    kind: str
    right_id: UUID
    holder_id: UUID
    listing_id: UUID | None
    status: str
    standard_id: UUID
    org_id: str | None
    statement: str | None
    filed_at: datetime
    assigned_at: datetime | None
    decided_at: datetime | None
    version: int
    evaluation: EvaluationPublic | None = None
