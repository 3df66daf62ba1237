"""Plan editions are drafted, then published: a status (existing editions are published), who
published and when; a draft may lack its title, period and effective date, and only published
editions keep their effective dates unique.

Revision ID: r0015
Revises: r0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0015"
down_revision: str | None = "r0011"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "plan_editions",
        sa.Column("status", sa.String(12), nullable=False, server_default="published"),
    )
    op.alter_column("plan_editions", "status", server_default=None)
    op.add_column("plan_editions", sa.Column("published_at", sa.DateTime(timezone=True)))
    op.add_column("plan_editions", sa.Column("published_by", sa.String(200)))
    op.execute("UPDATE plan_editions SET published_at = created_at, published_by = 'migration'")
    for column in ("title", "period_start", "period_end", "effective_from"):
        op.alter_column("plan_editions", column, nullable=True)
    op.drop_constraint("plan_editions_effective_from_key", "plan_editions", type_="unique")
    op.create_index(
        "plan_editions_published_effective_from",
        "plan_editions",
        ["effective_from"],
        unique=True,
        postgresql_where=sa.text("status = 'published'"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM plan_editions WHERE status = 'draft'")
    op.drop_index("plan_editions_published_effective_from", table_name="plan_editions")
    op.create_unique_constraint(
        "plan_editions_effective_from_key", "plan_editions", ["effective_from"]
    )
    for column in ("title", "period_start", "period_end", "effective_from"):
        op.alter_column("plan_editions", column, nullable=False)
    for column in ("published_by", "published_at", "status"):
        op.drop_column("plan_editions", column)
