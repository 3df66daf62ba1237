"""Rate limits shared by a service's replicas: one row per (limit, client), GCRA's state.

UNLOGGED: no WAL for a counter written on every limited request; after a server crash the table
comes back empty, which only forgives the clients their recent requests.

Revision ID: sk0005
Revises: sk0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sk0005"
down_revision: str | None = "sk0004"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE UNLOGGED TABLE rate_limits (
            name varchar(64) NOT NULL,
            client varchar(128) NOT NULL,
            tat double precision NOT NULL,
            PRIMARY KEY (name, client)
        )
        """
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
