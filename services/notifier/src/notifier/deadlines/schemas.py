"""What the deadlines API returns."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from notifier.deadlines.models import DeadlineState


class DeadlinePublic(BaseModel):
    id: str = Field(examples=["filing:2027:annual_mining_plan:3f6b2a0e"])
    kind: str = Field(examples=["annual_mining_plan"])
    due_at: date = Field(description="Local date, Asia/Shanghai", examples=["2026-12-31"])
    state: DeadlineState
    subject: str = Field(description="The mining right id, or the aggregate id without one")
    title_zh: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿 2027年度采掘计划报送"])
    holder_id: str | None
    role: str | None
    org_id: str | None
    next_step: str | None = Field(description="The next reminder or the overdue alert")
    next_fire_at: datetime | None
    last_event_type: str
    updated_at: datetime

    model_config = {"from_attributes": True}


class DeadlineFilter(BaseModel):
    """The list's query: by subject (the mining right id), kind, audience, state, due window."""

    subject: str | None = None
    kind: str | None = None
    state: DeadlineState | None = None
    holder_id: str | None = None
    role: str | None = None
    org_id: str | None = None
    due_from: date | None = None
    due_to: date | None = None
