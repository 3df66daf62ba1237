from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name, Text


class ExpertCreate(BaseModel):
    name: Name = Field(max_length=100, examples=["张华"])
    specialty: Name = Field(max_length=100, examples=["矿山地质环境"])
    employer: Name | None = Field(None, max_length=200, examples=["内蒙古自治区地质调查研究院"])
    tied_holder_ids: list[UUID] = Field(
        default_factory=list, description="Holders the expert works for or advises (回避)"
    )
    tied_org_ids: list[str] = Field(
        default_factory=list, description="Evaluator organisations the expert belongs to (回避)"
    )


class ExpertPublic(ExpertCreate):
    # as stored: a value written before names were checked still reads back (servicekit.text)
    name: str
    specialty: str
    employer: str | None
    id: UUID
    active: bool


class SpotCheckCreate(BaseModel):
    title: Name = Field(max_length=200, examples=["2026年度绿色矿山双随机抽查"])
    share: Decimal = Field(
        gt=0, le=1, description="Share of listed mines to draw", examples=["0.25"]
    )
    experts_per_mine: int = Field(ge=1, le=20, examples=[3])
    seed: str | None = Field(
        None,
        max_length=128,
        description="Optional public seed (e.g. announced in advance); default 256 random bits",
    )


class FindingCreate(BaseModel):
    listing_id: UUID
    compliant: bool
    findings: Text = Field(max_length=4000, examples=["现场核查符合绿色矿山标准"])


class FindingPublic(FindingCreate):
    # as stored: a value written before names were checked still reads back (servicekit.text)
    findings: str
    id: UUID
    recorded_at: datetime


class SpotCheckPublic(BaseModel):
    id: UUID
    title: str
    seed: str
    algorithm: str = Field(examples=["sha256-rank-v1"])
    algorithm_description: str
    share: Decimal
    experts_per_mine: int
    inputs: dict[str, Any] = Field(description="Everything the draw used, to recompute it")
    draw: list[dict[str, Any]]
    status: str
    drawn_at: datetime
    published_at: datetime | None
    findings: list[FindingPublic] = Field(description="Shown once published")


class SpotCheckResult(BaseModel):
    spot_check_id: UUID
    title: str
    drawn_at: datetime
    published_at: datetime | None
    compliant: bool
    findings: str
