"""Closure cases 闭坑治理案件: opened by a closure application in rights-api (第六章第二节三)."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class ClosureCase(SQLModel, table=True):
    __tablename__ = "closure_cases"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mining_rights.right_id", index=True)
    application_id: UUID = Field(unique=True)
    holder_id: UUID
    status: str = Field(max_length=16)  # open | passed | cancelled
    acceptance_id: UUID | None = None
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
