"""Exploration and mining rights, and their history.

Revision ID: r0002
Revises: r0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0002"
down_revision: str | None = "r0001"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "rights",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("licence_no", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("holder_id", sa.Uuid, sa.ForeignKey("holders.id"), nullable=False),
        sa.Column("mine_name", sa.String(200), nullable=False),
        sa.Column("mineral", sa.String(32), nullable=False),
        sa.Column("area_km2", sa.Numeric(14, 4), nullable=False),
        sa.Column("computed_area_km2", sa.Numeric(16, 6)),
        sa.Column("scale_value", sa.Numeric(14, 4)),
        sa.Column("scale_unit", sa.String(20)),
        sa.Column("method", sa.String(16)),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=False),
        sa.Column("zone", sa.String(32)),
        sa.Column("licensing_level", sa.String(16), nullable=False),
        sa.Column("boundary", JSONB),
        sa.Column("min_lon", sa.Double),
        sa.Column("min_lat", sa.Double),
        sa.Column("max_lon", sa.Double),
        sa.Column("max_lat", sa.Double),
        sa.Column("reference", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rights_holder_id", "rights", ["holder_id"])
    op.create_index("ix_rights_mineral", "rights", ["mineral"])
    op.create_index("ix_rights_status", "rights", ["status"])
    op.create_index("ix_rights_valid_to", "rights", ["valid_to"])
    op.create_index("ix_rights_zone", "rights", ["zone"])
    op.create_index("rights_created_at_id", "rights", ["created_at", "id"])
    op.create_index(
        "rights_bbox",
        "rights",
        [sa.text("box(point(min_lon, min_lat), point(max_lon, max_lat))")],
        postgresql_using="gist",
    )
    op.create_table(
        "right_history",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_status", sa.String(24)),
        sa.Column("to_status", sa.String(24)),
        sa.Column("reason", sa.Text),
        sa.Column("changes", JSONB),
    )
    op.create_index("right_history_right_at", "right_history", ["right_id", "at", "id"])


def downgrade() -> None:
    op.drop_table("right_history")
    op.drop_table("rights")
