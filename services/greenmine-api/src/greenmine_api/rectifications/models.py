"""限期整改: 6 months, benefits suspended; passed → publicity → re-listed; failed or overdue →
removed."""

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Rectification(SQLModel, table=True):
    """限期整改: 6 months, benefits suspended; passed → publicity → re-listed; failed or
    overdue → removed."""

    __tablename__ = "green_rectifications"
    __table_args__ = (Index("green_rectifications_status_due_on", "status", "due_on"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    right_id: UUID
    holder_id: UUID
    reason: str = Field(max_length=40)
    detail: str | None = Field(None, max_length=2000)
    ordered_on: date
    due_on: date
    status: str = Field(max_length=12, description="open, passed, failed, overdue")
    decision_note: str | None = Field(None, max_length=2000)
    decided_on: date | None = None
