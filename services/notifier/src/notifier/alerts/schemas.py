"""What the inbox and the alerts admin return."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from notifier.alerts.models import AlertStatus, Stage


class InboxItem(BaseModel):
    id: int
    deadline_id: str
    stage: Stage = Field(description="reminder or overdue")
    step: str = Field(examples=["reminder-7"])
    kind: str = Field(examples=["rectification"])
    subject: str
    title: str = Field(
        examples=[
            "【提醒】二连浩特市乌希根楚二号建筑用花岗岩矿 限期整改将于2027-03-31到期，剩余7天"
        ]
    )
    body: str
    due_at: date
    read: bool
    created_at: datetime

    model_config = {"from_attributes": True}


class AlertPublic(BaseModel):
    id: int
    deadline_id: str
    subscription_id: UUID
    step: str
    stage: Stage
    channel: str
    recipient: str
    kind: str
    subject: str
    title: str
    due_at: date
    status: AlertStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None

    model_config = {"from_attributes": True}


class AttemptPublic(BaseModel):
    id: int
    alert_id: int
    worker: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None = Field(
        description="delivered, failed (retried), gone (410), refused, interrupted; null while "
        "in flight"
    )
    status_code: int | None
    error: str | None

    model_config = {"from_attributes": True}


class AlertFilter(BaseModel):
    """The alerts list's query: by deadline, subscription, recipient (the e-mail address,
    endpoint URL or inbox user it went to) or status."""

    deadline_id: str | None = None
    subscription_id: UUID | None = None
    recipient: str | None = None
    status: AlertStatus | None = None
