"""Complaints from the public 社会举报, and the per-address ledger that rate-limits them."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from greenmine_api.standards.models import now_utc


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
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))


class PublicSubmission(SQLModel, table=True):
    """One row per complaint or objection from the public: the rate limit counts these, in the
    database, so it holds across replicas. The address is stored only as a keyed hash."""

    __tablename__ = "public_submissions"
    __table_args__ = (Index("public_submissions_client_at", "client", "at"),)

    id: int | None = Field(None, primary_key=True)
    client: str = Field(max_length=64)
    kind: str = Field(max_length=12)
    at: datetime = Field(
        default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
