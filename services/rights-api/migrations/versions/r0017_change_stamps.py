"""Change stamps on the tables public and cached reads are built from (servicekit.change_stamps):
plan editions (the plan, /zones), the register (/rights.geojson), the random patrol draws and
the abnormal list (with the holders it names).

Revision ID: r0017
Revises: r0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op
from servicekit.change_stamps import track, untrack

revision: str = "r0017"
down_revision: str | None = "r0014"
branch_labels: Sequence[str] | None = None
depends_on: str | None = "sk0007"

TABLES = (
    "plan_editions",
    "rights",
    "patrol_draws",
    "patrol_professionals",
    "integrity_entries",
    "holders",
)


def upgrade() -> None:
    for statement in track(TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in untrack(TABLES):
        op.execute(statement)
