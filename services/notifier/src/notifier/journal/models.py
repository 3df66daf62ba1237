"""The journal: every event the notifier has taken in, as it arrived."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, Index, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class ReceivedEventBase(SQLModel):
    event_id: UUID = Field(description="CloudEvents id")
    type: str = Field(max_length=200, schema_extra={"examples": ["rights.holder.registered"]})
    source: str = Field(max_length=200, schema_extra={"examples": ["/services/rights"]})
    subject: str | None = Field(None, max_length=200)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    traceparent: str | None = Field(None, max_length=55)
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))


class ReceivedEvent(ReceivedEventBase, table=True):
    __tablename__ = "received_events"
    __table_args__ = (Index("received_events_type", "type", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class ReceivedEventPublic(ReceivedEventBase):
    id: int
    received_at: datetime
