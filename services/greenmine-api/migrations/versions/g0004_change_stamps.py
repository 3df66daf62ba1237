"""Change stamps on the tables public and cached reads are built from (servicekit.change_stamps):
the green-mine list (/listings, /listings.csv, and a listing's dossier: its history,
rectifications and exit notice), the standards, the spot checks and their findings, the
publicities.

Revision ID: g0004
Revises: g0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op
from servicekit.change_stamps import track, untrack

revision: str = "g0004"
down_revision: str | None = "g0003"
branch_labels: Sequence[str] | None = None
depends_on: str | None = "sk0007"

TABLES = (
    "listings",
    "listing_history",
    "green_rectifications",
    "exit_notices",
    "standards",
    "spot_checks",
    "spot_check_findings",
    "publicities",
)


def upgrade() -> None:
    for statement in track(TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in untrack(TABLES):
        op.execute(statement)
