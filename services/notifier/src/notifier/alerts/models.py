"""Alerts (one per deadline, step and subscription) and the log of their delivery attempts."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from servicekit import clock
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


class Stage(StrEnum):
    reminder = "reminder"
    overdue = "overdue"


class AlertStatus(StrEnum):
    pending = "pending"  # waiting for (another) delivery attempt
    delivered = "delivered"
    dead = "dead"  # attempts exhausted, endpoint gone, destination refused: a dead letter
    cancelled = "cancelled"  # the deadline was met or cancelled before it went out


class Alert(SQLModel, table=True):
    __tablename__ = "alerts"
    __table_args__ = (
        # one alert per deadline, step and recipient, whoever sweeps and however often
        UniqueConstraint("deadline_id", "step", "subscription_id", name="alerts_once"),
        # the delivery worker reads only due work
        Index("alerts_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("alerts_by_deadline", "deadline_id", "id"),
        Index("alerts_by_subscription", "subscription_id", "id"),
        Index("alerts_inbox", "recipient", "id", postgresql_where=text("channel = 'inbox'")),
        Index("alerts_dead", "id", postgresql_where=text("status = 'dead'")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    deadline_id: str = Field(max_length=200)
    subscription_id: UUID
    step: str = Field(max_length=20)  # "reminder-30", "reminder-7", "overdue"
    stage: Stage = Field(sa_type=String(20))
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=2000)  # address, endpoint URL or user, as when sent
    kind: str = Field(max_length=100)
    subject: str = Field(max_length=200)
    title: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    due_at: date = Field(sa_column=Column(Date, nullable=False))
    status: AlertStatus = Field(sa_type=String(20))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    delivered_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    read_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True), nullable=True))

    @property
    def read(self) -> bool:
        return self.read_at is not None


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("delivery_attempts_alert", "alert_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    alert_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker: str = Field(max_length=200)
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    finished_at: datetime | None = Field(
        None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # delivered, failed (retried), gone (410), refused (destination), interrupted (worker died)
    outcome: str | None = Field(None, max_length=20)
    status_code: int | None = None
    error: str | None = Field(None, sa_column=Column(Text, nullable=True))


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to, as a channel reports it and the attempt log keeps it."""

    result: str  # delivered, failed (try again), gone (410: disable), refused (never retry)
    status_code: int | None = None
    error: str | None = None
