"""Evaluation figures 规划实施评估数据: the stable HTTP schema in which a service answers, as of a
date, for the plan indicators whose records it holds (第七章二, 专栏二, 专栏四). rights-api reads
these from restoration-api and greenmine-api (``GET /evaluation-figures``) to assemble the
evaluation; a breaking change here is a new route, as for an event type."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field


class FiguresQuery(BaseModel):
    """``GET /evaluation-figures?edition=2021-2025&as_of=2023-12-31``"""

    edition: str = Field(pattern=r"^\d{4}-\d{4}$", examples=["2021-2025"])
    as_of: date = Field(examples=["2023-12-31"], description="Figures as of the end of this day")


class Direction(StrEnum):
    """How the actual meets the target: a cap (数量控制在…以内) or a goal (达到…)."""

    at_most = "at_most"
    at_least = "at_least"


class FigureRecord(BaseModel):
    """One record behind an actual: a mine, an acceptance, a listing, a yearly land balance."""

    kind: str = Field(examples=["acceptance"], description="right | acceptance | listing | land")
    id: str = Field(description="The record's id in its service")
    name: str = Field(examples=["盐池废弃采区"], description="Mine or site name")
    code: str | None = Field(None, examples=["LS-YANCHI"], description="Licence no., site code")
    on: date | None = Field(None, description="The record's date (inspected, entered, granted)")
    value: Decimal | None = Field(None, description="What it adds to the actual, in its unit")


class Figure(BaseModel):
    code: str = Field(examples=["legacy_restored_km2"])
    name_zh: str = Field(examples=["历史遗留矿山地质环境治理恢复"])
    target: Decimal = Field(description="The target this service holds for the edition")
    actual: Decimal | None = Field(description="null when nothing can be computed yet")
    unit: str = Field(examples=["km2"])
    binding: bool = Field(description="约束性 (binding) or 预期性 (expected)")
    direction: Direction
    clause: str = Field(examples=["专栏二"])
    records: list[FigureRecord]


class EvaluationFigures(BaseModel):
    service: str = Field(examples=["restoration"])
    edition: str = Field(examples=["2021-2025"])
    as_of: date = Field(examples=["2023-12-31"])
    period_start: date
    period_end: date
    figures: list[Figure]
