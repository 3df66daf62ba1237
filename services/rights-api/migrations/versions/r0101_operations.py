"""Operations: attachments, annual filings, inspections, compliance orders.

Revision ID: r0101
Revises: r0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0101"
down_revision: str | None = "r0006"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(80), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "filings",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("overdue_at", TZ),
        sa.Column("submitted_at", TZ),
        sa.Column("submitted_by", sa.String(200)),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("figures", JSONB),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("right_id", "kind", "year", name="filings_right_kind_year"),
    )
    op.create_index("filings_created_at_id", "filings", ["created_at", "id"])
    op.create_index("filings_status_due_on", "filings", ["status", "due_on"])
    op.create_table(
        "filing_attachments",
        sa.Column("filing_id", sa.Uuid, sa.ForeignKey("filings.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("attachments.sha256"), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("attached_at", TZ, nullable=False),
        sa.Column("attached_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("inspector_name", sa.String(100)),
        sa.Column("inspected_at", TZ, nullable=False),
        sa.Column("working_face", JSONB, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("out_of_bounds", sa.Boolean),
        sa.Column("outside_points", JSONB),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )
    op.create_index("inspections_received_at_id", "inspections", ["received_at", "id"])
    op.create_index("inspections_right_id", "inspections", ["right_id"])
    op.create_table(
        "inspection_photos",
        sa.Column("inspection_id", sa.Uuid, sa.ForeignKey("inspections.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("attachments.sha256"), primary_key=True),
        sa.Column("attached_at", TZ, nullable=False),
        sa.Column("attached_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "compliance_orders",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("inspection_id", sa.Uuid, sa.ForeignKey("inspections.id")),
        sa.Column("violation", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("overdue_at", TZ),
        sa.Column("suspended_from", sa.String(24)),
        sa.Column("resolved_at", TZ),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("resolution", sa.Text),
        sa.Column("mine_resumed", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("compliance_orders_issued_at_id", "compliance_orders", ["issued_at", "id"])
    op.create_index("compliance_orders_status_due_on", "compliance_orders", ["status", "due_on"])
    op.create_index("compliance_orders_right_id", "compliance_orders", ["right_id"])


def downgrade() -> None:
    op.drop_table("compliance_orders")
    op.drop_table("inspection_photos")
    op.drop_table("inspections")
    op.drop_table("filing_attachments")
    op.drop_table("filings")
    op.drop_table("attachments")
