"""Who answers for each indicator of an edition (第七章一): the owner unit and the person
responsible, set by the bureau and shown in every evaluation and report.

Revision ID: r0014
Revises: r0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0014"
down_revision: str | None = "r0016"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_owners",
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), primary_key=True),
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("person", sa.String(100), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("indicator_owners")
