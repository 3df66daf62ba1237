"""What the closure-case API answers."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class ClosureCasePublic(BaseModel):
    id: UUID
    right_id: UUID
    application_id: UUID = Field(description="The rights-api closure application.")
    holder_id: UUID
    status: str = Field(examples=["open", "passed", "cancelled"])
    closure_plan_id: UUID | None = Field(None, description="The closure restoration plan filed.")
    acceptance_id: UUID | None
    opened_at: datetime
    decided_at: datetime | None
