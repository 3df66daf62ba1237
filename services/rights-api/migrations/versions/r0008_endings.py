"""Endings (issue 17, part B): mortgages, suspension holds, the bureau's endings of rights.

Revision ID: r0008
Revises: r0101
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0008"
down_revision: str | None = "r0007"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mortgages",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("application_id", sa.Uuid, sa.ForeignKey("applications.id"), unique=True),
        sa.Column("mortgagee", sa.String(200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("filed_at", TZ, nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("released_at", TZ),
        sa.Column("released_by", sa.String(200)),
        sa.Column("release_reason", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("mortgages_right_filed_at", "mortgages", ["right_id", "filed_at", "id"])
    op.create_table(
        "suspension_holds",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("cause", sa.String(40), nullable=False),
        sa.Column("cause_id", sa.Uuid, nullable=False),
        sa.Column("status_before", sa.String(24)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("clause", sa.String(80)),
        sa.Column("held_by", sa.String(200), nullable=False),
        sa.Column("held_at", TZ, nullable=False),
        sa.Column("lifted_at", TZ),
        sa.Column("lifted_by", sa.String(200)),
    )
    op.create_index(
        "suspension_holds_right_active",
        "suspension_holds",
        ["right_id"],
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_index(
        "suspension_holds_cause", "suspension_holds", ["cause", "cause_id"], unique=True
    )
    op.create_table(
        "right_endings",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status_before", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("clause", sa.String(80)),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.Column("acceptance_id", sa.Uuid),
        sa.Column("closed_at", TZ),
    )
    op.create_index("right_endings_decided_at_id", "right_endings", ["decided_at", "id"])


def downgrade() -> None:
    op.drop_table("right_endings")
    op.drop_table("suspension_holds")
    op.drop_table("mortgages")
