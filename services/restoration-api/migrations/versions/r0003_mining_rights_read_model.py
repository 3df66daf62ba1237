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

# r0002's projection, which the downgrade brings back: column → (type, nullable). The read
# model has each of these columns with the same type.
MINES = {
    "right_id": (sa.Uuid(), False),
    "holder_id": (sa.Uuid(), False),
    "holder_name": (sa.String(length=200), True),
    "licence_no": (sa.String(length=40), False),
    "mine_name": (sa.String(length=200), False),
    "kind": (sa.String(length=16), False),
    "mineral": (sa.String(length=40), False),
    "method": (sa.String(length=16), True),
    "status": (sa.String(length=24), False),
    "area_km2": (sa.Numeric(precision=14, scale=4), False),
    "reference": (sa.Boolean(), False),
    "updated_at": (sa.DateTime(timezone=True), False),
}
COLUMNS = ", ".join(MINES)
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
        f"INSERT INTO mining_rights ({COLUMNS}, granted_at, version) "
        f"SELECT {COLUMNS}, updated_at, NULL FROM mines"
    )
    _point_at("mining_rights")
    op.drop_index("ix_mines_holder_id", table_name="mines")
    op.drop_table("mines")


def downgrade() -> None:
    op.create_table(
        "mines",
        *(sa.Column(name, type_, nullable=nullable) for name, (type_, nullable) in MINES.items()),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index("ix_mines_holder_id", "mines", ["holder_id"], unique=False)
    op.execute(f"INSERT INTO mines ({COLUMNS}) SELECT {COLUMNS} FROM mining_rights")
    _point_at("mines")
    # the old projection is the only copy again: an upgrade copies it back in full
    op.execute("DELETE FROM mining_rights")
