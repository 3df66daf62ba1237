"""Rectification orders on a mine's restoration 限期整改 (第六章第二节二)."""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, Date, DateTime, Index
from sqlmodel import Field, SQLModel


class Rectification(SQLModel, table=True):
    __tablename__ = "rectifications"
    __table_args__ = (Index("rectifications_status_due", "status", "due_on"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mining_rights.right_id", index=True)
    holder_id: UUID = Field(index=True)
    reason: str = Field(max_length=1000)
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(max_length=16)  # ordered | resolved | overdue
    ordered_by: str = Field(max_length=200)
    ordered_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    resolution: str | None = Field(None, max_length=1000)
    resolved_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    overdue_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
