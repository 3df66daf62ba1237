"""The status a mine had before its closure application made it `closing`.

Revision ID: r0006
Revises: r0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0006"
down_revision: str | None = "r0005"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("right_status_before", sa.String(24)))


def downgrade() -> None:
    op.drop_column("applications", "right_status_before")
