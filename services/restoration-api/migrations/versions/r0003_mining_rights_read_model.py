"""The shared mining-rights read model replaces this service's own projection (``mines``):
every row is copied into ``mining_rights``, every foreign key on ``mines.right_id`` is pointed
at ``mining_rights.right_id``, and ``mines`` goes. The downgrade brings ``mines`` back from the
read model and points the keys at it again.

Revision ID: r0003
Revises: r0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0003"
down_revision: str | None = "r0002"
branch_labels: Sequence[str] | None = None
depends_on: str | None = "mr0001"

COLUMNS = (
    "right_id, licence_no, kind, holder_id, holder_name, mine_name, mineral, method, status, "
    "area_km2, reference"
)
# the tables whose right_id references the projection (one foreign key each)
REFERRING = (
    "restoration_plans",
    "obligations",
    "works",
    "acceptances",
    "closure_cases",
    "land_balances",
    "rectifications",
)


def _point_at(target: str) -> None:
    for table in REFERRING:
        name = f"{table}_right_id_fkey"  # PostgreSQL's name for r0002's unnamed keys
        op.drop_constraint(name, table, type_="foreignkey")
        op.create_foreign_key(name, table, target, ["right_id"], ["right_id"])


def upgrade() -> None:
    op.execute(
        f"INSERT INTO mining_rights ({COLUMNS}, granted_at, updated_at, version) "
        f"SELECT {COLUMNS}, updated_at, updated_at, NULL FROM mines"
    )
    _point_at("mining_rights")
    op.drop_index("ix_mines_holder_id", table_name="mines")
    op.drop_table("mines")


def downgrade() -> None:
    op.create_table(
        "mines",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("area_km2", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index("ix_mines_holder_id", "mines", ["holder_id"], unique=False)
    op.execute(
        f"INSERT INTO mines ({COLUMNS}, updated_at) SELECT {COLUMNS}, updated_at FROM mining_rights"
    )
    _point_at("mines")
    # the old projection is the only copy again: an upgrade copies it back in full
    op.execute("DELETE FROM mining_rights")
