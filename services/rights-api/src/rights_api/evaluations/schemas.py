"""What the evaluation API answers and takes."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal
from uuid import UUID

from contracts.figures import Direction, FigureRecord
from pydantic import BaseModel, ConfigDict, Field
from servicekit.text import Name

EXAMPLE_EDITION = "0b5f3c9e-6a51-4d7e-9f1a-2c1d3e4f5a6b"


class Attribute(StrEnum):
    binding = "binding"  # 约束性
    expected = "expected"  # 预期性


class OwnerSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"unit": "二连浩特市自然资源局矿产资源管理科", "person": "张伟"}]
        },
    )

    unit: Name = Field(min_length=1, max_length=200, description="Owner unit 责任单位")
    person: Name = Field(min_length=1, max_length=100, description="Person responsible 责任人")


class OwnerPublic(BaseModel):
    code: str = Field(examples=["legacy_restoration_km2"])
    unit: str = Field(examples=["二连浩特市自然资源局矿产资源管理科"])
    person: str = Field(examples=["张伟"])
    set_by: str
    updated_at: datetime


class Owners(BaseModel):
    edition_id: UUID
    owners: list[OwnerPublic]


class EvaluatedIndicator(BaseModel):
    code: str = Field(examples=["legacy_restoration_km2"])
    name_zh: str = Field(examples=["历史遗留矿山地质环境治理恢复"])
    name_en: str | None = Field(None, examples=["Legacy mine sites restored"])
    clause: str = Field(examples=["专栏二"])
    target: Decimal = Field(description="The edition's target", examples=["0.52"])
    actual: Decimal | None = Field(description="As of `as_of`; null when it cannot be computed")
    unit: str = Field(examples=["km2"])
    unit_zh: str = Field(examples=["平方千米"])
    attribute: Attribute = Field(description="binding 约束性 or expected 预期性")
    attribute_zh: str = Field(examples=["约束性"])
    direction: Direction = Field(description="at_most: a cap (控制在…以内); at_least: a goal")
    met: bool
    source_service: str | None = Field(
        examples=["restoration"], description="The service that holds the records"
    )
    source_target: Decimal | None = Field(
        None, description="The target the source service holds (a problem when it differs)"
    )
    as_of: date
    records: list[FigureRecord] = Field(description="The records behind the actual")
    owner: OwnerPublic | None = Field(description="Owner unit and person responsible (第七章一)")


class ProblemKind(StrEnum):
    indicator_missed = "indicator_missed"
    indicator_unmeasured = "indicator_unmeasured"
    target_mismatch = "target_mismatch"
    conformance_open = "conformance_open"
    deadline_missed = "deadline_missed"


class EvaluationProblem(BaseModel):
    kind: ProblemKind
    title_zh: str = Field(
        examples=["历史遗留矿山地质环境治理恢复未达到目标（实际 0，目标 0.52 平方千米）"]
    )
    ref: str | None = Field(None, description="The indicator code, right id or deadline id")
    clause: str | None = Field(None, examples=["专栏二"])


class YearActuals(BaseModel):
    year: int
    as_of: date
    actuals: dict[str, Decimal | None] = Field(description="Actual per indicator code")


Scope = Literal["year", "midterm", "period"]

EVALUATION_EXAMPLE = {
    "edition_id": EXAMPLE_EDITION,
    "edition_code": "2021-2025",
    "edition_title": "二连浩特市矿产资源总体规划（2021-2025年）",
    "scope": "year",
    "year": 2023,
    "as_of": "2023-12-31",
    "period_start": "2021-01-01",
    "period_end": "2025-12-31",
    "indicators": [
        {
            "code": "city_small_mines",
            "name_zh": "本市发证普通建筑用砂石矿及小型非金属矿山数量",
            "name_en": "City-licensed sand, gravel and small non-metallic mines",
            "clause": "专栏二",
            "target": "4",
            "actual": "4",
            "unit": "个",
            "unit_zh": "个",
            "attribute": "expected",
            "attribute_zh": "预期性",
            "direction": "at_most",
            "met": True,
            "source_service": "rights",
            "source_target": "4",
            "as_of": "2023-12-31",
            "records": [
                {
                    "kind": "right",
                    "id": "5d0c7a7e-1f0b-4a53-9a61-0d6b1e0f8a11",
                    "name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
                    "code": "C1525012009127120049582",
                    "on": "2019-01-01",
                    "value": "1",
                }
            ],
            "owner": {
                "code": "city_small_mines",
                "unit": "二连浩特市自然资源局矿产资源管理科",
                "person": "张伟",
                "set_by": "bureau-admin-1",
                "updated_at": "2024-01-05T02:00:00Z",
            },
        },
        {
            "code": "legacy_restoration_km2",
            "name_zh": "历史遗留矿山地质环境治理恢复",
            "name_en": "Legacy mine sites restored",
            "clause": "专栏二",
            "target": "0.52",
            "actual": "0.12",
            "unit": "km2",
            "unit_zh": "平方千米",
            "attribute": "binding",
            "attribute_zh": "约束性",
            "direction": "at_least",
            "met": False,
            "source_service": "restoration",
            "source_target": "0.5200",
            "as_of": "2023-12-31",
            "records": [
                {
                    "kind": "acceptance",
                    "id": "9a1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f",
                    "name": "盐池废弃采区",
                    "code": "LS-YANCHI",
                    "on": "2023-09-30",
                    "value": "0.12",
                }
            ],
            "owner": None,
        },
    ],
    "problems": [
        {
            "kind": "indicator_missed",
            "title_zh": "历史遗留矿山地质环境治理恢复未达到目标（实际 0.12，目标 0.52 平方千米）",
            "ref": "legacy_restoration_km2",
            "clause": "专栏二",
        }
    ],
    "by_year": None,
}


class Evaluation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EVALUATION_EXAMPLE]})

    edition_id: UUID
    edition_code: str = Field(examples=["2021-2025"])
    edition_title: str
    scope: Scope = Field(description="year, midterm (the period's middle year) or period")
    year: int = Field(examples=[2023])
    as_of: date = Field(description="The figures are as of the end of this day")
    period_start: date
    period_end: date
    indicators: list[EvaluatedIndicator]
    problems: list[EvaluationProblem] = Field(
        description="Indicators missed, conformance findings open, named deadlines missed"
    )
    by_year: list[YearActuals] | None = Field(
        None, description="The period evaluation: every indicator's actual per year so far"
    )
