"""Idempotency keys: the claim is an advisory lock in the request's transaction, not a row.

Drops ``state`` and ``locked_until``; a record now always holds an answer. Rows still in flight
(claims of requests that crashed, or of requests running on the old version during the upgrade)
hold none and are deleted: a retry with such a key runs, as it would once the old lock expired.

Revision ID: sk0004
Revises: sk0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sk0004"
down_revision: str | None = "sk0003"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute("DELETE FROM idempotency_keys WHERE state = 0")
    op.drop_column("idempotency_keys", "state")
    op.drop_column("idempotency_keys", "locked_until")
    for column in ("status", "headers", "body"):
        op.alter_column("idempotency_keys", column, nullable=False)


def downgrade() -> None:
    for column in ("status", "headers", "body"):
        op.alter_column("idempotency_keys", column, nullable=True)
    # every record left is a finished one (state 1, done), whose lock no longer matters
    op.add_column(
        "idempotency_keys",
        sa.Column("state", sa.SmallInteger, nullable=False, server_default=sa.text("1")),
    )
    op.add_column(
        "idempotency_keys",
        sa.Column(
            "locked_until", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.alter_column("idempotency_keys", "state", server_default=None)
    op.alter_column("idempotency_keys", "locked_until", server_default=None)
