"""The journal: every domain event the notifier has taken in, in one ordered log.

``id`` is the log position: a database identity, handed out while the appending transaction
holds the journal's append lock (``service.record``), so positions commit in order and a reader
that has seen position N never later finds a new row below it. The pollable feed
(``GET /events``) and event subscriptions read the log by position."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, func
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
    __table_args__ = (
        Index("received_events_type", "type", "id"),
        Index("received_events_holder", "holder_id", "id"),
        Index("received_events_event_id", "event_id", unique=True),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    received_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    # what subscriptions filter on, where the event carries it (``service.facets``)
    holder_id: str | None = Field(None, max_length=100)
    right_id: str | None = Field(None, max_length=100)
    mineral: str | None = Field(None, max_length=100)
    zone: str | None = Field(None, max_length=100)


class ReceivedEventPublic(ReceivedEventBase):
    id: int
    received_at: datetime
