"""Change stamps on the tables public and cached reads are built from (servicekit.change_stamps):
the disclosures (the read model of rights, funds, transfers, plans, works, acceptances) and the
map layers (legacy sites, works, acceptances).

Revision ID: r0006
Revises: r0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op
from servicekit.change_stamps import track, untrack

revision: str = "r0006"
down_revision: str | None = "r0005"
branch_labels: Sequence[str] | None = None
depends_on: str | None = "sk0007"

TABLES = (
    "mining_rights",
    "funds",
    "transfers",
    "restoration_plans",
    "works",
    "acceptances",
    "legacy_sites",
)


def upgrade() -> None:
    for statement in track(TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in untrack(TABLES):
        op.execute(statement)
