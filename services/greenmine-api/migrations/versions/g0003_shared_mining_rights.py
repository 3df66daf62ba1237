"""greenmine-api keeps the shared mining-rights read model (libs/mining_rights) instead of its
own projection: tracked_mines' rows move into mining_rights and the table goes.

Nothing referenced tracked_mines by a foreign key (listings, applications and publicities keep
the right id as a plain column), so there are no constraints to repoint. ``obliged`` (a new
mining right must meet the green standard by the end of the period) is not carried over: it
is derived from the right (kind mining and not a reference right of 专栏一).

Revision ID: g0003
Revises: g0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "g0003"
down_revision: str | Sequence[str] | None = "g0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "mr0001"


def upgrade() -> None:
    # tracked_mines never kept the area, and nothing else in this database has it: 0 stands
    # for "unknown" until rights-api's next rights.right.granted for the right replaces the row
    # (greenmine-api reads no area). version stays NULL: the next event is compared by time,
    # and updated_at is when greenmine-api last applied news, so older news stays ignored.
    op.execute(
        """
        INSERT INTO mining_rights (
            right_id, licence_no, kind, holder_id, holder_name, mine_name, mineral,
            area_km2, status, reference, granted_at, closed_at, version, updated_at
        )
        SELECT right_id, licence_no, kind, holder_id, holder_name, mine_name, mineral,
               0, status, reference, granted_at, closed_at, NULL, updated_at
        FROM tracked_mines
        ON CONFLICT (right_id) DO NOTHING
        """
    )
    op.drop_table("tracked_mines")  # its indexes go with it


def downgrade() -> None:
    op.create_table(
        "tracked_mines",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("licence_no", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("obliged", sa.Boolean(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index("ix_tracked_mines_holder_id", "tracked_mines", ["holder_id"], unique=False)
    op.create_index("ix_tracked_mines_mine_name", "tracked_mines", ["mine_name"], unique=False)
    op.execute(
        """
        INSERT INTO tracked_mines (
            right_id, holder_id, holder_name, mine_name, licence_no, kind, mineral, status,
            reference, obliged, granted_at, closed_at, updated_at
        )
        SELECT right_id, holder_id, holder_name, mine_name, licence_no, kind, mineral, status,
               reference, kind = 'mining' AND NOT reference, granted_at, closed_at, updated_at
        FROM mining_rights
        """
    )
    # the rows are tracked_mines' again; what only the shared model held (area, zone,
    # validity, scale, version) is not kept by the old projection
    op.execute("DELETE FROM mining_rights")
