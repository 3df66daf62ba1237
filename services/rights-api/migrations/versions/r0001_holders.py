"""Rights holders.

Revision ID: r0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("rights",)
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "holders",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("contact_name", sa.String(100)),
        sa.Column("contact_phone", sa.String(40)),
        sa.Column("contact_email", sa.String(200)),
        sa.Column("address", sa.String(300)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_holders_credit_code", "holders", ["credit_code"], unique=True)
    op.create_index("holders_created_at_id", "holders", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("holders")
