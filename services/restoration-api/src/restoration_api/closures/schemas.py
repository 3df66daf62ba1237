"""What the closure-case API answers."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class ClosureCasePublic(BaseModel):
    id: UUID
    right_id: UUID
    cause: str = Field(
        description="What opened it: `application` (the holder's closure application) or the "
        "bureau ending the right: `revoked`, `policy_closed`, `expired`.",
        examples=["application", "policy_closed"],
    )
    cause_id: UUID = Field(description="The closure application, or the ending at rights-api.")
    application_id: UUID | None = Field(
        None, description="The rights-api closure application (cause `application`)."
    )
    holder_id: UUID
    status: str = Field(examples=["open", "passed", "cancelled"])
    closure_plan_id: UUID | None = Field(None, description="The closure restoration plan filed.")
    acceptance_id: UUID | None
    opened_at: datetime
    decided_at: datetime | None
