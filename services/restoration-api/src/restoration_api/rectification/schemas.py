from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text

from restoration_api.bodies import body_config


class RectificationCreate(BaseModel):
    model_config = body_config(
        {
            "right_id": "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01",
            "reason": "2026年度治理任务未完成：采场边坡未按方案削坡",
            "due_on": "2027-03-31",
        }
    )

    right_id: UUID
    reason: Text = Field(min_length=1, max_length=1000)
    due_on: date = Field(description="Local date (Asia/Shanghai) by which it must be fixed.")


class RectificationResolve(BaseModel):
    model_config = body_config({"resolution": "已完成削坡及覆土，复查合格"})

    resolution: Text = Field(min_length=1, max_length=1000)


class RectificationPublic(BaseModel):
    id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str
    due_on: date
    status: str = Field(examples=["ordered", "resolved", "overdue"])
    ordered_by: str
    ordered_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    overdue_at: datetime | None
