"""The mining-rights read model: one table in each database of a service that keeps it."""

import sqlalchemy as sa
from alembic import op

# the first revision of its own branch: services that keep the model list its folder
revision, down_revision, branch_labels = "mr0001", None, ("mining_rights",)


def upgrade() -> None:
    op.create_table(
        "mining_rights",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("scale_value", sa.Numeric(14, 4), nullable=True),
        sa.Column("scale_unit", sa.String(length=20), nullable=True),
        sa.Column("area_km2", sa.Numeric(14, 4), nullable=False),
        sa.Column("zone", sa.String(length=32), nullable=True),
        sa.Column("licensing_level", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index("ix_mining_rights_holder_id", "mining_rights", ["holder_id"])
    op.create_index("ix_mining_rights_mine_name", "mining_rights", ["mine_name"])


def downgrade() -> None:
    op.drop_table("mining_rights")
