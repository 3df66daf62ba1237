"""Boundaries: legacy sites and works get a GeoJSON boundary (CGCS2000 lon/lat), a demo flag and
its bounding box; works get a number (``code``, old works numbered RA-<year>-<8 hex>) and a kind
(geological_environment 矿山地质环境治理 / land_reclamation 土地复垦).

Revision ID: r0005
Revises: r0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "r0005"
down_revision: str | None = "r0004"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

BOUNDED = ("legacy_sites", "works")
BOX = ("min_lon", "min_lat", "max_lon", "max_lat")


def upgrade() -> None:
    for table in BOUNDED:
        op.add_column(
            table, sa.Column("boundary", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
        )
        op.add_column(
            table,
            sa.Column(
                "boundary_illustrative", sa.Boolean(), nullable=False, server_default=sa.false()
            ),
        )
        op.alter_column(table, "boundary_illustrative", server_default=None)
        for name in BOX:
            op.add_column(table, sa.Column(name, sa.Double(), nullable=True))
    op.add_column("works", sa.Column("code", sa.String(length=40), nullable=True))
    op.add_column("works", sa.Column("kind", sa.String(length=24), nullable=True))
    op.execute(
        "UPDATE works SET code = 'RA-' || year || '-' || "
        "upper(substr(replace(id::text, '-', ''), 1, 8))"
    )
    op.alter_column("works", "code", nullable=False)
    op.create_unique_constraint("works_code_key", "works", ["code"])


def downgrade() -> None:
    op.drop_constraint("works_code_key", "works", type_="unique")
    op.drop_column("works", "kind")
    op.drop_column("works", "code")
    for table in BOUNDED:
        for name in (*BOX, "boundary_illustrative", "boundary"):
            op.drop_column(table, name)
