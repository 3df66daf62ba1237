"""Plan editions, applications, demo-boundary flag on rights, licence number serials.

Revision ID: r0003
Revises: r0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0003"
down_revision: str | None = "r0002"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "rights",
        sa.Column("boundary_illustrative", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.alter_column("rights", "boundary_illustrative", server_default=None)
    op.execute("CREATE SEQUENCE licence_serial")
    op.create_table(
        "plan_editions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False, unique=True),
        sa.Column("content", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("holder_id", sa.Uuid, sa.ForeignKey("holders.id"), nullable=False),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id")),
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), nullable=False),
        sa.Column("mineral", sa.String(32)),
        sa.Column("mine_name", sa.String(200)),
        sa.Column("request", JSONB, nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("review_due", sa.Date, nullable=False),
        sa.Column("waiting_for", JSONB),
        sa.Column("restoration_acceptance", JSONB),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decision_reason", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_applications_status", "applications", ["status"])
    op.create_index("ix_applications_holder_id", "applications", ["holder_id"])
    op.create_index("applications_created_at_id", "applications", ["created_at", "id"])
    op.create_index(
        "applications_right_kind_status", "applications", ["right_id", "kind", "status"]
    )


def downgrade() -> None:
    op.drop_table("applications")
    op.drop_table("plan_editions")
    op.execute("DROP SEQUENCE licence_serial")
    op.drop_column("rights", "boundary_illustrative")
