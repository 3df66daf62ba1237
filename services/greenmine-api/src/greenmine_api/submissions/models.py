"""The per-address ledger of what the public submits without an account (complaints and
objections to a publicity): the rate limit counts these rows."""

from datetime import datetime

from servicekit import clock
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel


class PublicSubmission(SQLModel, table=True):
    """One row per complaint or objection from the public: the rate limit counts these, in the
    database, so it holds across replicas. The address is stored only as a keyed hash."""

    __tablename__ = "public_submissions"
    __table_args__ = (Index("public_submissions_client_at", "client", "at"),)

    id: int | None = Field(None, primary_key=True)
    client: str = Field(max_length=64)
    kind: str = Field(max_length=12)
    at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
