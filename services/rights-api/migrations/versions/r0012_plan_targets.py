"""The plan's named deadlines as obligations: the state last published per edition and deadline,
and the read tables of what restoration-api and greenmine-api report (acceptances on mines and
legacy sites, green-mine listings).

Revision ID: r0012
Revises: r0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0012"
down_revision: str | None = "r0010"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "named_deadline_states",
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), primary_key=True),
        sa.Column("deadline_id", sa.String(40), primary_key=True),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "green_listings_seen",
        sa.Column("listing_id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("delisted_on", sa.Date),
    )
    op.create_index("green_listings_seen_right_id", "green_listings_seen", ["right_id"])
    op.create_table(
        "restoration_acceptances_seen",
        sa.Column("acceptance_id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("closure", sa.Boolean, nullable=False),
    )
    op.create_index(
        "restoration_acceptances_seen_right_id", "restoration_acceptances_seen", ["right_id"]
    )
    op.create_table(
        "legacy_acceptances_seen",
        sa.Column("acceptance_id", sa.Uuid, primary_key=True),
        sa.Column("legacy_site_id", sa.Uuid, nullable=False),
        sa.Column("accepted_area_ha", sa.Numeric(14, 4), nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("legacy_acceptances_seen")
    op.drop_table("restoration_acceptances_seen")
    op.drop_table("green_listings_seen")
    op.drop_table("named_deadline_states")
