"""Compliance orders 限期整改通知: a violation, a deadline, and what happened."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from contracts.mining import RightStatus
from servicekit import clock
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlmodel import Field, SQLModel


class OrderStatus(StrEnum):
    open = "open"  # 整改中
    overdue = "overdue"  # 逾期未整改: the mine was suspended
    resolved = "resolved"  # 已整改


class ComplianceOrder(SQLModel, table=True):
    __tablename__ = "compliance_orders"
    __table_args__ = (
        Index("compliance_orders_issued_at_id", "issued_at", "id"),  # list order
        Index("compliance_orders_status_due_on", "status", "due_on"),  # the overdue sweep
        Index("compliance_orders_right_id", "right_id"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    inspection_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("inspections.id")))
    violation: str = Field(sa_column=Column(String(40), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date = Field(sa_column=Column(Date, nullable=False))  # local date, Asia/Shanghai
    status: OrderStatus = Field(sa_column=Column(String(16), nullable=False))
    issued_by: str = Field(sa_column=Column(String(200), nullable=False))
    issued_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    overdue_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    # set when this order's overdue suspended the mine: the status to return to on resolution
    suspended_from: RightStatus | None = Field(None, sa_column=Column(String(24)))
    resolved_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    resolved_by: str | None = Field(None, sa_column=Column(String(200)))
    resolution: str | None = Field(None, sa_column=Column(Text))
    mine_resumed: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
