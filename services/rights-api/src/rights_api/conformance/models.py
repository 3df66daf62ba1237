"""The actions the bureau opened from a plan edition's conformance findings: one per edition,
right and rule, so opening twice opens nothing new."""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class ConformanceAction(SQLModel, table=True):
    __tablename__ = "conformance_actions"
    __table_args__ = (
        UniqueConstraint(
            "edition_id", "right_id", "rule", name="conformance_actions_edition_right_rule"
        ),
        Index("conformance_actions_right_id", "right_id"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    edition_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("plan_editions.id"), nullable=False))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    rule: str = Field(sa_column=Column(String(40), nullable=False))
    action: str = Field(sa_column=Column(String(16), nullable=False))
    clause: str = Field(sa_column=Column(Text, nullable=False))
    numbers: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # the compliance order 限期整改/限期退出 an exit or a restrict with an order opened
    order_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("compliance_orders.id")))
    due_on: date | None = Field(None, sa_column=Column(Date))  # the holder's deadline, if any
    opened_by: str = Field(sa_column=Column(String(200), nullable=False))
    opened_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
