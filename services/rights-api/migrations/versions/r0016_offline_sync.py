"""Offline sync for inspection apps (issue 20, part 4): inspector assignments, sync snapshots,
restoration's rectification orders as a read model, versioned inspection edits, resumable
(tus) photo uploads.

Revision ID: r0016
Revises: r0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0016"
down_revision: str | None = "r0015"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "inspections", sa.Column("version", sa.Integer, nullable=False, server_default="1")
    )
    op.add_column("inspections", sa.Column("edits", JSONB, nullable=False, server_default="[]"))
    op.alter_column("inspections", "version", server_default=None)
    op.alter_column("inspections", "edits", server_default=None)
    op.add_column("inspections", sa.Column("last_edit_sha256", sa.String(64)))
    op.add_column("inspections", sa.Column("updated_at", TZ))

    op.create_table(
        "inspector_assignments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("patrol_draw_id", sa.Uuid, sa.ForeignKey("patrol_draws.id")),
        sa.Column("note", sa.String(500)),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.Column("ended_at", TZ),
        sa.Column("ended_by", sa.String(200)),
    )
    op.create_index(
        "inspector_assignments_assigned_at_id", "inspector_assignments", ["assigned_at", "id"]
    )
    op.create_index(
        "inspector_assignments_open",
        "inspector_assignments",
        ["inspector", "right_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )

    op.create_table(
        "sync_snapshots",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=False),
    )
    op.create_index("sync_snapshots_used_at", "sync_snapshots", ["used_at"])

    op.create_table(
        "restoration_rectifications",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, nullable=False),
        sa.Column("holder_id", sa.Uuid, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index(
        "restoration_rectifications_right_id", "restoration_rectifications", ["right_id"]
    )

    op.create_table(
        "photo_uploads",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("inspection_id", sa.Uuid, sa.ForeignKey("inspections.id"), nullable=False),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("metadata", JSONB, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("completed_at", TZ),
    )
    op.create_index("photo_uploads_updated_at", "photo_uploads", ["updated_at"])


def downgrade() -> None:
    op.drop_table("photo_uploads")
    op.drop_table("restoration_rectifications")
    op.drop_table("sync_snapshots")
    op.drop_table("inspector_assignments")
    for column in ("updated_at", "last_edit_sha256", "edits", "version"):
        op.drop_column("inspections", column)
