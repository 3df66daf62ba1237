"""Closure cases 闭坑治理案件 (第六章第二节三): opened by a closure application in rights-api, or by
the bureau ending a right there (revocation, policy closure, expiry)."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

# what opened a case: the holder's closure application, or the bureau ending the right
CAUSES = ("application", "revoked", "policy_closed", "expired")


class ClosureCase(SQLModel, table=True):
    __tablename__ = "closure_cases"
    __table_args__ = (UniqueConstraint("cause", "cause_id", name="closure_cases_cause"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    right_id: UUID = Field(foreign_key="mining_rights.right_id", index=True)
    cause: str = Field(max_length=16)  # one of CAUSES
    # the closure application, or the ending at rights-api (its ending_id)
    cause_id: UUID
    application_id: UUID | None = Field(None, unique=True)
    holder_id: UUID
    status: str = Field(max_length=16)  # open | passed | cancelled
    acceptance_id: UUID | None = None
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
