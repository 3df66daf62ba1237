"""The journal of received events.

Revision ID: n0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "n0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("notifier",)
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "received_events",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("traceparent", sa.String(55)),
        sa.Column("data", postgresql.JSONB, nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("received_events_type", "received_events", ["type", "id"])


def downgrade() -> None:
    op.drop_table("received_events")
