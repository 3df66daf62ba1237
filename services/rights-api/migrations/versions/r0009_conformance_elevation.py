"""Conformance of existing rights to a plan edition (the actions opened from its findings), and
licensed elevation 开采标高 on rights with the working-face elevation on inspections.

Revision ID: r0009
Revises: r0101
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0009"
down_revision: str | None = "r0008"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)
METRES = sa.Numeric(8, 2)


def upgrade() -> None:
    op.add_column("rights", sa.Column("elevation_top_m", METRES))
    op.add_column("rights", sa.Column("elevation_bottom_m", METRES))
    op.create_check_constraint(
        "rights_elevation_range", "rights", "elevation_top_m > elevation_bottom_m"
    )
    op.add_column("inspections", sa.Column("working_face_elevation_m", METRES))
    op.add_column("inspections", sa.Column("out_of_level", sa.Boolean))
    op.create_table(
        "conformance_actions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), nullable=False),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("numbers", JSONB, nullable=False),
        sa.Column("order_id", sa.Uuid, sa.ForeignKey("compliance_orders.id")),
        sa.Column("due_on", sa.Date),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.UniqueConstraint(
            "edition_id", "right_id", "rule", name="conformance_actions_edition_right_rule"
        ),
    )
    op.create_index("conformance_actions_right_id", "conformance_actions", ["right_id"])


def downgrade() -> None:
    op.drop_index("conformance_actions_right_id", table_name="conformance_actions")
    op.drop_table("conformance_actions")
    op.drop_column("inspections", "out_of_level")
    op.drop_column("inspections", "working_face_elevation_m")
    op.drop_constraint("rights_elevation_range", "rights", type_="check")
    op.drop_column("rights", "elevation_bottom_m")
    op.drop_column("rights", "elevation_top_m")
