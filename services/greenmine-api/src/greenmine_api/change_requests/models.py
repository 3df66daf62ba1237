"""Change requests 信息变更申请: listed information changes only when the bureau approves."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class ChangeRequest(SQLModel, table=True):
    """信息变更申请: listed information changes only when the bureau approves."""

    __tablename__ = "change_requests"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    holder_id: UUID
    changes: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    reason: str = Field(max_length=1000)
    status: str = Field(max_length=10, description="pending, approved, rejected")
    decision_note: str | None = Field(None, max_length=1000)
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
