"""The ``deadline`` object an event carries when it sets, moves, meets, cancels a deadline or
reports it overdue. The notifier needs nothing else to remind and alert."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class DeadlineAction(StrEnum):
    set = "set"
    met = "met"
    cancelled = "cancelled"
    overdue = "overdue"  # sent by the owning service when the date passed unmet


class Audience(BaseModel):
    """Who must act: a rights holder, a role, or an organisation (any combination)."""

    model_config = ConfigDict(frozen=True)

    holder_id: str | None = None
    role: str | None = None
    org_id: str | None = None


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id chosen by the owning service; a later event moves it.")
    kind: str = Field(examples=["annual_mining_plan", "rectification", "green_mine_review"])
    action: DeadlineAction = DeadlineAction.set
    due_at: date = Field(description="Local date in Asia/Shanghai.")
    subject: str = Field(description="The mining right id, or the aggregate id without one.")
    audience: Audience
    title_zh: str = Field(examples=["2027年度采掘计划报送"])
