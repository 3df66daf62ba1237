from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text


class RectificationPublic(BaseModel):
    id: UUID
    listing_id: UUID
    right_id: UUID
    holder_id: UUID
    reason: str = Field(examples=["review_failed", "complaint", "compliance_overdue"])
    detail: str | None
    ordered_on: date
    due_on: date
    status: str = Field(examples=["open", "passed", "failed", "overdue", "closed"])
    decision_note: str | None
    decided_on: date | None


class RectificationDecision(BaseModel):
    passed: bool = Field(description="The bureau's verification of the rectification 整改复核")
    note: Text = Field(max_length=2000, examples=["整改完成，复核合格"])
    publicity_starts_on: date | None = Field(
        None, description="Re-listing publicity start (default today)"
    )


class RectificationFilters(BaseModel):
    status: str | None = None
