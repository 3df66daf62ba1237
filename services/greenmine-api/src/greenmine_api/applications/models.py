"""Applications for the list (entry 遴选 and review 复查), the third-party evaluator
organisations the bureau registers, and their evaluations (1000-point scoring)."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, Index, LargeBinary, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import deferred
from sqlmodel import Field, SQLModel


class EvaluatorOrg(SQLModel, table=True):
    """A registered third-party evaluator 第三方评估机构. ``id`` is the ``org_id`` claim its
    evaluators' tokens carry."""

    __tablename__ = "evaluator_orgs"

    # plain String (not SQLModel's AutoString): the list pages by these, and a cursor is read
    # back by the column's Python type
    id: str = Field(primary_key=True, sa_type=String(64))
    name: str = Field(sa_type=String(200))
    credit_code: str = Field(max_length=18, unique=True)
    active: bool = True
    registered_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ApplicationKind(StrEnum):
    entry = "entry"  # 遴选
    review = "review"  # 三年复查


class ApplicationStatus(StrEnum):
    filed = "filed"  # waiting for the bureau to assign an evaluator
    assigned = "assigned"  # the evaluator works
    failed = "failed"  # the evaluation did not pass
    passed = "passed"  # passed, publicity not yet opened
    publicity = "publicity"  # 公示中
    approved = "approved"  # listed (entry) or confirmed (review)
    rejected = "rejected"  # an objection was upheld
    cancelled = "cancelled"  # the mine closed or changed hands meanwhile


OPEN_STATUSES = (
    ApplicationStatus.filed,
    ApplicationStatus.assigned,
    ApplicationStatus.passed,
    ApplicationStatus.publicity,
)


class GreenApplication(SQLModel, table=True):
    __tablename__ = "green_applications"
    __table_args__ = (
        Index("green_applications_filed_at_id", "filed_at", "id"),
        # one open application per mine
        Index(
            "green_applications_one_open_per_right",
            "right_id",
            unique=True,
            postgresql_where="status IN ('filed', 'assigned', 'passed', 'publicity')",
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(max_length=10)
    right_id: UUID = Field(index=True)
    holder_id: UUID = Field(index=True)
    listing_id: UUID | None = Field(None, description="The listing a review is about.")
    status: str = Field(max_length=12)
    standard_id: UUID = Field(foreign_key="standards.id")
    org_id: str | None = Field(None, foreign_key="evaluator_orgs.id", index=True, max_length=64)
    statement: str | None = Field(None, max_length=2000)
    filed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    assigned_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    decided_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    version: int = 1


class Evaluation(SQLModel, table=True):
    """What the assigned organisation submitted, and the result the standard computed."""

    __tablename__ = "evaluations"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    application_id: UUID = Field(foreign_key="green_applications.id", unique=True)
    org_id: str = Field(foreign_key="evaluator_orgs.id", max_length=64)
    standard_id: UUID = Field(foreign_key="standards.id")
    scores: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    prerequisites: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    team: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(7, 2), nullable=False))
    passed: bool
    report_filename: str = Field(max_length=200)
    report_content_type: str = Field(max_length=100)
    report_size: int
    report_sha256: str = Field(max_length=64)
    report: bytes = Field(sa_column=deferred(Column(LargeBinary, nullable=False)))
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
