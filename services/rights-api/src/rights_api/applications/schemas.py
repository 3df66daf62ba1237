"""Applications 申请: what each kind carries, and what the API returns."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from contracts.deadline import Deadline
from contracts.mining import Mineral, MiningMethod, Scale
from pydantic import BaseModel, Field, field_validator, model_validator
from servicekit.text import Name, Text

from rights_api.geometry import square
from rights_api.plan.schemas import DocumentKind, Violation
from rights_api.rights.schemas import (
    BoundaryInput,
    ElevationBottom,
    ElevationTop,
    elevation_range,
)


class ApplicationKind(StrEnum):
    new_mining_right = "new_mining_right"  # 采矿权新立
    new_exploration_right = "new_exploration_right"  # 探矿权新立
    renewal = "renewal"  # 延续
    transfer = "transfer"  # 转让
    mortgage_filing = "mortgage_filing"  # 抵押备案
    change = "change"  # 变更
    closure = "closure"  # 闭坑


KIND_ZH = {
    "new_mining_right": "采矿权新立",
    "new_exploration_right": "探矿权新立",
    "renewal": "延续",
    "transfer": "转让",
    "mortgage_filing": "抵押备案",
    "change": "变更",
    "closure": "闭坑",
}


class ApplicationStatus(StrEnum):
    filed = "filed"  # 已受理
    approved = "approved"  # 已批准
    rejected = "rejected"  # 不予批准


class DocumentRef(BaseModel):
    kind: DocumentKind
    title: Name | None = Field(
        None, max_length=200, examples=["乌希根楚四号建筑用花岗岩矿开发利用方案"]
    )
    reference: str | None = Field(None, max_length=500, description="File id or URL")


Document = DocumentKind | DocumentRef
ALL_DOCUMENTS = [d.value for d in DocumentKind]


class NewRight(BoundaryInput):
    holder_id: UUID = Field(description="The applicant 申请人 (an enterprise files for itself)")
    mine_name: Name = Field(max_length=200)
    mineral: Mineral
    term_years: int = Field(ge=1, le=30, description="Validity asked for 申请有效期（年）")
    area_km2: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="矿区面积")
    documents: list[Document] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_boundary(self) -> "NewRight":
        if self.boundary is None and self.corners is None:
            raise ValueError("a new right needs its boundary: boundary (GeoJSON) or corners")
        return self


class NewMiningRight(NewRight):
    """采矿权新立: judged by every admission rule of the plan."""

    kind: Literal["new_mining_right"]
    scale: Scale = Field(description="Production scale 生产规模")
    method: MiningMethod
    temporary_borrow_pit: bool = Field(False, description="重大建设项目临时取料点 (≤ 3 years)")


class NewExplorationRight(NewRight):
    """探矿权新立: location rules (city, prohibited areas, overlap) and the licensing level."""

    kind: Literal["new_exploration_right"]


class OnRight(BaseModel):
    right_id: UUID
    holder_id: UUID | None = Field(
        None, description="Optional: must be the right's holder when sent."
    )
    documents: list[Document] = Field(default_factory=list)


class Renewal(OnRight):
    """延续: refused after the plan's deadline for a mine below the minimum scale."""

    kind: Literal["renewal"]
    term_years: int = Field(ge=1, le=30)


class Transfer(OnRight):
    """转让 to another registered holder; recorded by the city bureau (第五章第二节)."""

    kind: Literal["transfer"]
    to_holder_id: UUID


class MortgageFiling(OnRight):
    """抵押备案 (第五章第二节)."""

    kind: Literal["mortgage_filing"]
    mortgagee: Name = Field(max_length=200, examples=["中国农业银行二连浩特市支行"])
    amount_yuan: Decimal = Field(gt=0, decimal_places=2, examples=["1200000.00"])
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _period(self) -> "MortgageFiling":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class Change(OnRight):
    """变更: mine name, scale, method or the licensed elevation range 开采标高 (both ends)."""

    kind: Literal["change"]
    mine_name: Name | None = Field(None, max_length=200)
    scale: Scale | None = None
    method: MiningMethod | None = None
    elevation_top_m: ElevationTop = None
    elevation_bottom_m: ElevationBottom = None

    _elevation = field_validator("elevation_bottom_m")(elevation_range)

    @model_validator(mode="after")
    def _something(self) -> "Change":
        asked = (self.mine_name, self.scale, self.method, self.elevation_top_m)
        if all(value is None for value in asked):
            raise ValueError("a change needs mine_name, scale, method or the elevation range")
        return self


class Closure(OnRight):
    """闭坑: held until restoration-api reports the closure restoration accepted (第六章第二节)."""

    kind: Literal["closure"]
    reason: Text = Field(max_length=1000, examples=["资源枯竭，停产3年，申请闭坑"])


ApplicationRequest = Annotated[
    NewMiningRight | NewExplorationRight | Renewal | Transfer | MortgageFiling | Change | Closure,
    Field(discriminator="kind"),
]

# 二连浩特市乌希根楚 granite: a new right in SCJ001 meeting every rule (demo geometry)
NEW_MINING_EXAMPLE = {
    "kind": "new_mining_right",
    "holder_id": "5a1d9c8e-2b7f-4e0a-8c61-1f0e2d3c4b5a",
    "mine_name": "二连浩特市乌希根楚四号建筑用花岗岩矿",
    "mineral": "construction_granite",
    "scale": {"value": "10", "unit": "10k_m3_per_year"},
    "method": "open_pit",
    "term_years": 10,
    "temporary_borrow_pit": False,
    "area_km2": "0.1500",
    "boundary": square(111.68, 43.53, 0.15),
    "documents": ALL_DOCUMENTS,
}
CLOSURE_EXAMPLE = {
    "kind": "closure",
    "right_id": "0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21",
    "reason": "乌希根楚三号建筑用花岗岩矿停产，办理闭坑手续",
    "documents": ["restoration_plan"],
}
REQUEST_EXAMPLES = {
    "new_mining_right": {"summary": "采矿权新立 new mining right", "value": NEW_MINING_EXAMPLE},
    "closure": {"summary": "闭坑 closure", "value": CLOSURE_EXAMPLE},
    "transfer": {
        "summary": "转让 transfer",
        "value": {
            "kind": "transfer",
            "right_id": "0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21",
            "to_holder_id": "7c2e0d1f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        },
    },
    "renewal": {
        "summary": "延续 renewal",
        "value": {
            "kind": "renewal",
            "right_id": "0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21",
            "term_years": 5,
        },
    },
}


class CheckResult(BaseModel):
    passed: bool
    violations: list[Violation]
    edition: str = Field(description="The plan edition that judged it", examples=["2021-2025"])
    computed_area_km2: Decimal | None = Field(None, description="Geodesic area of the boundary")
    zone: str | None = Field(None, description="The zone or block the boundary lies in")


class Waiting(BaseModel):
    event: str = Field(examples=["restoration.acceptance.passed"])
    description_zh: str
    description_en: str


class Decision(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000, examples=["符合规划准入条件，予以批准"])


class ApplicationPublic(BaseModel):
    id: UUID
    kind: ApplicationKind
    status: ApplicationStatus
    holder_id: UUID
    right_id: UUID | None = Field(description="The right concerned; for a new right, once granted")
    mineral: Mineral | None
    mine_name: str | None
    edition: str = Field(description="The plan edition that judges it (in force on its filing day)")
    edition_id: UUID
    request: dict[str, Any]
    filed_at: datetime
    filed_by: str
    review_deadline: Deadline | None
    waiting_for: Waiting | None = Field(
        description="What the application waits for before it can be approved"
    )
    restoration_acceptance: dict[str, Any] | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    version: int


class ApplicationFilters(BaseModel):
    """The filters of GET /applications (query parameters)."""

    status: ApplicationStatus | None = None
    kind: ApplicationKind | None = None
    holder_id: UUID | None = None
    right_id: UUID | None = None
