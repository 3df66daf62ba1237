"""The holder of record of each transferred right, and its former holders.

Revision ID: n0003
Revises: n0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "n0003"
down_revision: str | None = "n0002"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "right_holders",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("holder_id", sa.String(100), nullable=False),
        sa.Column("former_holders", postgresql.ARRAY(sa.String(100)), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("right_holders")
