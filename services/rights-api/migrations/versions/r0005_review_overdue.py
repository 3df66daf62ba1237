"""When an application's review deadline was reported overdue; applications listed by filing
time.

Revision ID: r0005
Revises: r0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0005"
down_revision: str | None = "r0004"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("review_overdue_at", sa.DateTime(timezone=True)))
    op.drop_index("applications_created_at_id", table_name="applications")
    op.create_index("applications_filed_at_id", "applications", ["filed_at", "id"])


def downgrade() -> None:
    op.drop_index("applications_filed_at_id", table_name="applications")
    op.create_index("applications_created_at_id", "applications", ["created_at", "id"])
    op.drop_column("applications", "review_overdue_at")
