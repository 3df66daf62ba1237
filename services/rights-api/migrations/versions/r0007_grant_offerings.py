"""Market grant offerings 矿业权出让 (招拍挂): offerings, bidders, bids, contract numbers.

Revision ID: r0007
Revises: r0101
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0007"
down_revision: str | None = "r0101"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grant_offerings",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), nullable=False),
        sa.Column("block_id", sa.String(32), nullable=False),
        sa.Column("mineral", sa.String(32), nullable=False),
        sa.Column("mine_name", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reserve_price_fen", sa.BigInteger, nullable=False),
        sa.Column("deposit_fen", sa.BigInteger, nullable=False),
        sa.Column("min_increment_fen", sa.BigInteger, nullable=False),
        sa.Column("term_years", sa.Integer, nullable=False),
        sa.Column("scale_value", sa.Numeric(14, 4), nullable=False),
        sa.Column("scale_unit", sa.String(20), nullable=False),
        sa.Column("key_project", sa.Boolean, nullable=False),
        sa.Column("key_project_basis", sa.Text),
        sa.Column("notice_from", sa.Date),
        sa.Column("notice_until", sa.Date),
        sa.Column("bidding_from", sa.Date),
        sa.Column("bidding_until", sa.Date),
        sa.Column("winner_holder_id", sa.Uuid, sa.ForeignKey("holders.id")),
        sa.Column("price_fen", sa.BigInteger),
        sa.Column("decided_on", sa.Date),
        sa.Column("reference", sa.String(200)),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id")),
        sa.Column("contract", JSONB),
        sa.Column("withdrawn_reason", sa.Text),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("closed_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("grant_offerings_created_at_id", "grant_offerings", ["created_at", "id"])
    op.create_index("ix_grant_offerings_state", "grant_offerings", ["state"])
    op.create_index(
        "grant_offerings_open_block",
        "grant_offerings",
        ["edition_id", "block_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('draft', 'announced')"),
    )
    op.create_table(
        "grant_bidders",
        sa.Column("offering_id", sa.Uuid, sa.ForeignKey("grant_offerings.id"), primary_key=True),
        sa.Column("holder_id", sa.Uuid, sa.ForeignKey("holders.id"), primary_key=True),
        sa.Column("deposit_fen", sa.BigInteger, nullable=False),
        sa.Column("registered_by", sa.String(200), nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
    )
    op.create_table(
        "grant_bids",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("offering_id", sa.Uuid, sa.ForeignKey("grant_offerings.id"), nullable=False),
        sa.Column("holder_id", sa.Uuid, sa.ForeignKey("holders.id"), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("placed_at", TZ, nullable=False),
    )
    op.create_index("grant_bids_offering_id_id", "grant_bids", ["offering_id", "id"])
    op.execute("CREATE SEQUENCE grant_contract_serial")


def downgrade() -> None:
    op.execute("DROP SEQUENCE grant_contract_serial")
    op.drop_table("grant_bids")
    op.drop_table("grant_bidders")
    op.drop_table("grant_offerings")
