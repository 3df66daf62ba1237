"""What drafting the next edition answers: the pieces publishing finds missing, the difference
between two editions, and a draft's impact on the register."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from rights_api.plan.schemas import Violation


class MissingPiece(BaseModel):
    """One reason a draft cannot be published (a 422's ``violations``)."""

    field: str = Field(examples=["zones"])
    code: str = Field(examples=["missing"], description="missing, empty, before_today, ...")
    message_zh: str = Field(examples=["缺少集中开采区（专栏三）"])
    message_en: str = Field(examples=["no concentrated zones (专栏三)"])


class EditionRef(BaseModel):
    id: UUID
    code: str = Field(examples=["2021-2025"])
    status: str = Field(examples=["published"])


class FieldChange(BaseModel):
    """One value that differs: ``part`` of the edition, the item's ``key`` within a list part
    (a cap's name, a mineral, a target's code), the ``attribute``; an item added or removed
    whole has no attribute and null on the side it is missing."""

    part: str = Field(examples=["title"])
    key: str | None = Field(None, examples=[None])
    attribute: str | None = Field(None, examples=[None])
    before: Any = Field(None, examples=["二连浩特市矿产资源总体规划（2021-2025年）"])
    after: Any = Field(None, examples=["二连浩特市矿产资源总体规划（2026-2030年）（草案）"])


class Change(StrEnum):
    added = "added"
    removed = "removed"
    changed = "changed"


class AreaChange(BaseModel):
    """A zone, planned block or prohibited area added, removed or changed: its geometry (with
    its geodesic area before and after) and the attributes that differ."""

    key: str = Field(examples=["SCJ001"], description="Zone code, block id or area name")
    name_zh: str = Field(examples=["乌希根楚建筑用花岗岩矿集中开采区"])
    change: Change
    geometry_changed: bool
    area_km2_before: Decimal | None = Field(None, description="Geodesic area of the geometry")
    area_km2_after: Decimal | None = None
    attributes: list[FieldChange] = Field(default_factory=list)


class EditionDiff(BaseModel):
    """``b`` compared with ``a`` (``before`` is a's value, ``after`` b's)."""

    a: EditionRef
    b: EditionRef
    fields: list[FieldChange] = Field(
        description="Title, period, effective date, minimum scales, caps, targets, thresholds "
        "and the other parts, value by value"
    )
    zones: list[AreaChange]
    planned_blocks: list[AreaChange]
    prohibited_areas: list[AreaChange]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "a": {
                        "id": "0b6f3c1e-2d4a-4c8e-9a51-2f1d7e6c9b10",
                        "code": "2021-2025",
                        "status": "published",
                    },
                    "b": {
                        "id": "5e2a9d47-8c3b-4f16-a0d2-7b9e1c4f3a28",
                        "code": "2026-2030",
                        "status": "draft",
                    },
                    "fields": [
                        {
                            "part": "title",
                            "key": None,
                            "attribute": None,
                            "before": "二连浩特市矿产资源总体规划（2021-2025年）",
                            "after": "二连浩特市矿产资源总体规划（2026-2030年）（草案）",
                        },
                        {
                            "part": "period_start",
                            "key": None,
                            "attribute": None,
                            "before": "2021-01-01",
                            "after": "2026-01-01",
                        },
                    ],
                    "zones": [
                        {
                            "key": "SCJ001",
                            "name_zh": "乌希根楚建筑用花岗岩矿集中开采区",
                            "change": "changed",
                            "geometry_changed": True,
                            "area_km2_before": "36.5500",
                            "area_km2_after": "36.5500",
                            "attributes": [
                                {
                                    "part": "attributes",
                                    "key": "SCJ001",
                                    "attribute": "illustrative",
                                    "before": True,
                                    "after": False,
                                }
                            ],
                        },
                    ],
                    "planned_blocks": [],
                    "prohibited_areas": [],
                }
            ]
        }
    }


class Finding(BaseModel):
    """A rule the draft would break, with its clause."""

    rule: str = Field(examples=["mine_count_cap"])
    clause: str = Field(examples=["第四章第二节, 专栏四; 第八章第三节"])
    message_zh: str
    message_en: str
    numbers: dict[str, Any] = Field(default_factory=dict)
    illustrative: bool = Field(
        False, description="Judged on demo geometry 示意 (the right's or the plan's areas)"
    )


class NonConformingRight(BaseModel):
    right_id: UUID
    licence_no: str | None
    mine_name: str | None
    mineral: str | None
    non_conforming_now: bool = Field(
        description="Whether the edition in force on that day already finds it non-conforming"
    )
    reasons: list[Finding]


class RefusedApplication(BaseModel):
    application_id: UUID
    kind: str
    mine_name: str | None
    holder_id: UUID
    reasons: list[Violation]


class RefusedOffering(BaseModel):
    offering_id: UUID
    block_id: str
    mine_name: str
    state: str
    reasons: list[Violation]


class Impact(BaseModel):
    """A dry run of the conformance rules (every live right) and the admission rules (every
    pending application and open grant offering) under the draft: nothing is written."""

    edition: EditionRef
    as_of: date = Field(description="The day judged (the draft's effective date, or today)")
    compared_with: str | None = Field(
        None, description="The edition in force on that day", examples=["2021-2025"]
    )
    non_conforming_rights: list[NonConformingRight]
    refused_applications: list[RefusedApplication]
    refused_offerings: list[RefusedOffering]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "edition": {
                        "id": "5e2a9d47-8c3b-4f16-a0d2-7b9e1c4f3a28",
                        "code": "2026-2030",
                        "status": "draft",
                    },
                    "as_of": "2027-01-01",
                    "compared_with": "2021-2025",
                    "non_conforming_rights": [
                        {
                            "right_id": "9d1c5b2e-6f4a-4e3b-8a7d-1c2e3f4a5b6c",
                            "licence_no": "C1525012019127130148432",
                            "mine_name": "二连浩特市乌希根楚三号建筑用花岗岩矿",
                            "mineral": "construction_granite",
                            "non_conforming_now": False,
                            "reasons": [
                                {
                                    "rule": "outside_zone",
                                    "clause": "第三章第四节",
                                    "message_zh": "矿区不在建筑用花岗岩的集中开采区或开采规划区块"
                                    "内：已有采矿权不符合开采条件的应限期整改或整合",
                                    "message_en": "not inside a concentrated zone or planned "
                                    "block for construction_granite",
                                    "numbers": {"zones": ["SCJ001"], "zone_on_record": "SCJ001"},
                                }
                            ],
                        }
                    ],
                    "refused_applications": [],
                    "refused_offerings": [],
                }
            ]
        }
    }
