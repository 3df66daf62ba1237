"""Holiday schedules loaded by the bureau (servicekit.workdays).

Revision ID: sk0002
Revises: sk0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sk0002"
down_revision: str | None = "sk0001"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("workday", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_index("ix_calendar_days_year", "calendar_days", ["year"])


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")
