"""What the patrols API reads and writes."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name

PROFESSIONAL_EXAMPLE = {
    "name": "张建国",
    "organisation": "内蒙古自治区第二地质矿产勘查开发院",
    "speciality": "采矿工程（储量核查）",
    "phone": "0479-7512345",
    "employer_holder_id": None,
    "conflict_right_ids": [],
}
DRAW_EXAMPLE = {"year": 2026, "sample_size": 2, "seed": "2026-随机巡查-第1批"}
# two of 专栏一's working mines: 乌希根楚二号 (No. 6, producing) and the agate mine (No. 5, being
# built); ids and licence numbers illustrative
_MINE_6 = "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61"
_MINE_5 = "5e0d7c1a-3b2f-4e6a-9c8d-1f2e3d4c5b6a"
_ZHANG, _ZHAO, _WANG = (
    "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
    "1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f",
    "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
)
DRAWN_EXAMPLE = {
    "id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    "year": 2026,
    "sample_size": 2,
    "professionals_per_mine": 1,
    "seed": "2026-随机巡查-第1批",
    "method": "sha256-rank-v1",
    "inputs": {
        "year": 2026,
        "sample_size": 2,
        "professionals_per_mine": 1,
        "mines": [
            {"right_id": _MINE_6, "holder_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"},
            {"right_id": _MINE_5, "holder_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"},
        ],
        "professionals": [
            {"id": _ZHANG, "employer_holder_id": None, "conflict_right_ids": []},
            {"id": _ZHAO, "employer_holder_id": None, "conflict_right_ids": [_MINE_6]},
            {"id": _WANG, "employer_holder_id": None, "conflict_right_ids": []},
        ],
    },
    "inputs_sha256": "3f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a",
    "mines": [
        {
            "right_id": _MINE_6,
            "licence_no": "C1525002019997000000006",
            "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "holder_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
            "professional_ids": [_ZHANG],
            "excluded": [
                {
                    "professional_id": _ZHAO,
                    "reason": "evaluated the mine or declared a conflict with it",
                }
            ],
        },
        {
            "right_id": _MINE_5,
            "licence_no": "C1525002019997000000005",
            "mine_name": "二连浩特市白音敖包玉髓玛瑙矿",
            "holder_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
            "professional_ids": [_WANG],
            "excluded": [],
        },
    ],
    "professionals": [
        {
            "id": _ZHANG,
            "name": "张建国",
            "organisation": "内蒙古自治区第二地质矿产勘查开发院",
            "speciality": "采矿工程（储量核查）",
        },
        {
            "id": _WANG,
            "name": "王海",
            "organisation": "锡林郭勒盟矿山地质环境监测站",
            "speciality": "矿山地质环境",
        },
    ],
    "drawn_at": "2026-03-02T02:00:00Z",
}


class ProfessionalCreate(BaseModel):
    """A hired professional 聘用专业技术人员 and their declared conflicts of interest (回避)."""

    name: Name = Field(min_length=1, max_length=100, description="Name 姓名")
    organisation: Name = Field(min_length=1, max_length=200, description="Organisation 工作单位")
    speciality: Name = Field(min_length=1, max_length=100, description="Speciality 专业")
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

    model_config = {"json_schema_extra": {"examples": [DRAWN_EXAMPLE]}}
