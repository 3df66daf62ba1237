"""What the standards API reads and writes, and the shape of an evaluation's result."""

from datetime import datetime
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator
from servicekit.text import Name, Text

PointsSource = Literal["source", "configuration"]


class ItemSpec(BaseModel):
    code: str = Field(max_length=40, pattern=r"^[a-z0-9_.]+$", examples=["env.appearance"])
    name_zh: Name = Field(max_length=100, examples=["矿容矿貌"])
    max_points: Decimal = Field(gt=0, examples=["70"])


class CategorySpec(BaseModel):
    code: str = Field(max_length=40, pattern=r"^[a-z0-9_]+$", examples=["environment"])
    name_zh: Name = Field(max_length=100, examples=["矿区环境"])
    name_en: Name = Field(max_length=100, examples=["Mine-area environment"])
    points: Decimal = Field(gt=0, examples=["150"])
    points_source: PointsSource = Field(
        description="`source` when the published form gives the points, `configuration` when "
        "the bureau set them because the sources do not 来源未给出分值时由本局配置."
    )
    items: list[ItemSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_add_up(self) -> Self:
        total = sum(i.max_points for i in self.items)
        if total != self.points:
            raise ValueError(f"items of {self.code} add up to {total}, not {self.points}")
        return self


class PrerequisiteSpec(BaseModel):
    code: str = Field(max_length=60, pattern=r"^[a-z0-9_]+$", examples=["valid_licence"])
    text_zh: Name = Field(max_length=200, examples=["采矿许可证在有效期内"])
    text_en: Name = Field(max_length=200, examples=["The mining licence is valid"])


class StandardCreate(BaseModel):
    code: str = Field(max_length=60, pattern=r"^[a-z0-9_-]+$", examples=["national-2020"])
    title: Name = Field(max_length=200)
    source: Text = Field(max_length=500)
    total_points: int = Field(gt=0, examples=[1000])
    pass_total: int = Field(gt=0, examples=[800])
    category_min_ratio: Decimal = Field(gt=0, le=1, examples=["0.75"])
    categories: list[CategorySpec] = Field(min_length=1)
    prerequisites: list[PrerequisiteSpec] = Field(default_factory=list)
    is_default: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        total = sum(c.points for c in self.categories)
        if total != self.total_points:
            raise ValueError(f"categories add up to {total}, not total_points {self.total_points}")
        if self.pass_total > self.total_points:
            raise ValueError("pass_total exceeds total_points")
        codes = [c.code for c in self.categories] + [
            i.code for c in self.categories for i in c.items
        ]
        codes += [p.code for p in self.prerequisites]
        if len(codes) != len(set(codes)):
            raise ValueError("category, item and prerequisite codes must be unique")
        return self


class StandardPublic(StandardCreate):
    # as stored: a value written before names were checked still reads back (servicekit.text)
    title: str
    source: str
    id: UUID
    version: int
    created_at: datetime


class CategoryResult(BaseModel):
    code: str
    name_zh: str
    points: Decimal = Field(description="Points scored 得分")
    max_points: Decimal
    min_required: Decimal = Field(description="The category's share of its points 类别最低分")
    passed: bool


class EvaluationResult(BaseModel):
    """Computed from the scores by the standard, never typed in 按标准计算，不得直接录入."""

    total: Decimal
    pass_total: int
    passed: bool
    categories: list[CategoryResult]
    failed_prerequisites: list[str]
    reasons: list[str] = Field(description="Why it failed, one line per rule 未通过原因")
