"""Complaints from the public 社会举报."""

from datetime import datetime
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel


class Complaint(SQLModel, table=True):
    __tablename__ = "complaints"
    __table_args__ = (Index("complaints_filed_at_id", "filed_at", "id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    listing_id: UUID = Field(foreign_key="listings.id", index=True)
    content: str = Field(max_length=2000)
    contact: str | None = Field(None, max_length=100)
    status: str = Field(max_length=16, description="received, substantiated, unsubstantiated")
    decision_note: str | None = Field(None, max_length=2000)
    rectification_id: UUID | None = None
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
