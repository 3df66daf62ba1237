"""Closure cases get a cause: the holder's closure application, or the bureau ending the right
at rights-api (revoked, policy_closed, expired). Existing cases are applications.

Revision ID: r0004
Revises: r0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0004"
down_revision: str | None = "r0003"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("closure_cases", sa.Column("cause", sa.String(length=16), nullable=True))
    op.add_column("closure_cases", sa.Column("cause_id", sa.Uuid(), nullable=True))
    op.execute("UPDATE closure_cases SET cause = 'application', cause_id = application_id")
    op.alter_column("closure_cases", "cause", nullable=False)
    op.alter_column("closure_cases", "cause_id", nullable=False)
    op.alter_column("closure_cases", "application_id", nullable=True)
    op.create_unique_constraint("closure_cases_cause", "closure_cases", ["cause", "cause_id"])


def downgrade() -> None:
    op.execute("DELETE FROM closure_cases WHERE application_id IS NULL")
    op.drop_constraint("closure_cases_cause", "closure_cases", type_="unique")
    op.alter_column("closure_cases", "application_id", nullable=False)
    op.drop_column("closure_cases", "cause_id")
    op.drop_column("closure_cases", "cause")
