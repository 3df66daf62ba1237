"""Event subscriptions (a government system's endpoint for domain events) and the queue of
their deliveries: one row per (subscription, log position), delivered in order per subject."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


class EventSubscription(SQLModel, table=True):
    __tablename__ = "event_subscriptions"
    __table_args__ = (Index("event_subscriptions_created_by", "created_by", "created_at", "id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=200)
    types: list[str] = Field(sa_column=Column(ARRAY(String(200)), nullable=False))
    # filters: each applies to the events that carry the field (``service.MATCHES``)
    holder_id: str | None = Field(None, max_length=100)
    right_id: str | None = Field(None, max_length=100)
    mineral: str | None = Field(None, max_length=100)
    zone: str | None = Field(None, max_length=100)
    # whether its events keep the personal fields: fixed from its maker's roles (feed.privacy)
    personal_data: bool = False
    active: bool = True
    disabled_reason: str | None = Field(None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for (another) attempt, or behind an earlier one of its subject
    delivered = "delivered"
    dead = "dead"  # attempts spent, endpoint gone (410), destination refused: a dead letter


class EventDelivery(SQLModel, table=True):
    __tablename__ = "event_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "position", name="event_deliveries_once"),
        Index(
            "event_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # the head of each subject's queue: what blocks the later events of the subject
        Index(
            "event_deliveries_queue",
            "subscription_id",
            "subject_key",
            "position",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("event_deliveries_by_subscription", "subscription_id", "position"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    subscription_id: UUID
    position: int = Field(sa_column=Column(BigInteger, nullable=False))  # the journal entry
    subject_key: str = Field(max_length=200)  # the event's subject, "" when it has none
    status: DeliveryStatus = Field(sa_type=String(20))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_status_code: int | None = None
    last_error: str | None = Field(None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    delivered_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
