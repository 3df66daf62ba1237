"""What the patrols API reads and writes."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

PROFESSIONAL_EXAMPLE = {
    "name": "张建国",
    "organisation": "内蒙古自治区第二地质矿产勘查开发院",
    "speciality": "采矿工程（储量核查）",
    "phone": "0479-7512345",
    "employer_holder_id": None,
    "conflict_right_ids": [],
}
DRAW_EXAMPLE = {"year": 2026, "sample_size": 2, "seed": "2026-随机巡查-第1批"}


class ProfessionalCreate(BaseModel):
    """A hired professional 聘用专业技术人员 and their declared conflicts of interest (回避)."""

    name: str = Field(min_length=1, max_length=100, description="Name 姓名")
    organisation: str = Field(min_length=1, max_length=200, description="Organisation 工作单位")
    speciality: str = Field(min_length=1, max_length=100, description="Speciality 专业")
    phone: str | None = Field(
        None, max_length=40, description="Contact phone 联系电话 (bureau only, never published)"
    )
    employer_holder_id: UUID | None = Field(
        None,
        description="The rights holder the professional works for, if any 任职矿业权人: never "
        "drawn for its mines",
    )
    conflict_right_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        description="Mining rights the professional evaluated (signed one of its filings, "
        "reserve verifications or inspections) or declares a conflict with 回避: never drawn "
        "for them",
    )

    model_config = {"json_schema_extra": {"examples": [PROFESSIONAL_EXAMPLE]}}


class ProfessionalPublic(BaseModel):
    """A professional as the bureau sees them (with contact data)."""

    id: UUID
    name: str
    organisation: str
    speciality: str
    phone: str | None
    employer_holder_id: UUID | None
    conflict_right_ids: list[UUID]
    active: bool
    created_at: datetime


class DrawnProfessional(BaseModel):
    """A drawn professional as published: no contact data."""

    id: UUID
    name: str
    organisation: str
    speciality: str


class PatrolDrawCreate(BaseModel):
    year: int = Field(ge=2021, le=2100, description="The patrol year 巡查年度", examples=[2026])
    sample_size: int = Field(
        ge=1, le=1000, description="How many mines to patrol 抽取矿山数", examples=[2]
    )
    seed: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="The published seed 随机种子; omitted: 64 random hex characters",
    )
    professionals_per_mine: int = Field(
        2, ge=1, le=10, description="Professionals sent to each mine 每矿抽取专业技术人员数"
    )

    model_config = {"json_schema_extra": {"examples": [DRAW_EXAMPLE]}}


class Excluded(BaseModel):
    professional_id: UUID
    reason: str = Field(examples=["works for the mine's holder"])


class DrawnMine(BaseModel):
    right_id: UUID
    licence_no: str
    mine_name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    holder_id: UUID
    professional_ids: list[UUID] = Field(description="The professionals drawn for the mine")
    excluded: list[Excluded] = Field(description="Professionals left out for a conflict 回避")


class PatrolDrawPublic(BaseModel):
    """A draw as published 随机巡查抽取结果: anyone can recompute it from `seed` and `inputs`."""

    id: UUID
    year: int
    sample_size: int
    professionals_per_mine: int
    seed: str
    method: str = Field(examples=["sha256-rank-v1"])
    inputs: dict[str, Any] = Field(
        description="What the draw read: the candidate mines (right and holder ids) and the "
        "professionals' ids with their conflicts (no names, no contact data)"
    )
    inputs_sha256: str = Field(description="SHA-256 of `inputs` in canonical JSON")
    mines: list[DrawnMine]
    professionals: list[DrawnProfessional]
    drawn_at: datetime
