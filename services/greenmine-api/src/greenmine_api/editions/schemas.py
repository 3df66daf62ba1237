from datetime import date

from pydantic import BaseModel, Field


class EditionPublic(BaseModel):
    code: str = Field(examples=["2021-2025"])
    title: str = Field(examples=["二连浩特市矿产资源总体规划（2021—2025年）"])
    period_start: date
    period_end: date
    green_mine_target: int = Field(examples=[4])
    review_interval_years: int = Field(examples=[3])
    review_application_lead_months: int = Field(examples=[6])
    rectification_months: int = Field(examples=[6])
    publicity_workdays: int = Field(examples=[5])
    source: str
    active: bool
    version: int


class EditionUpdate(BaseModel):
    """The bureau's own configuration; the plan's numbers change with a new edition."""

    publicity_workdays: int = Field(ge=1, le=30, examples=[7])
