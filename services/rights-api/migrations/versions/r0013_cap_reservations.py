"""The places open market-grant offerings hold under the caps, kept in step by a trigger, so a
direct application and an offering count the same reservations.

Revision ID: r0013
Revises: r0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0013"
down_revision: str | None = "r0009"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

OPEN = "('draft', 'announced')"

FUNCTION = f"""
CREATE FUNCTION reserve_cap_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- an open offering (draft or announced) holds one place; any other state frees it
    IF NEW.state IN {OPEN} THEN
        INSERT INTO cap_reservations AS r
               (offering_id, block_id, mineral, state, scale_unit, scale_value)
        VALUES (NEW.id, NEW.block_id, NEW.mineral, NEW.state, NEW.scale_unit, NEW.scale_value)
        ON CONFLICT (offering_id) DO UPDATE
           SET block_id = EXCLUDED.block_id, mineral = EXCLUDED.mineral,
               state = EXCLUDED.state, scale_unit = EXCLUDED.scale_unit,
               scale_value = EXCLUDED.scale_value;
    ELSE
        DELETE FROM cap_reservations WHERE offering_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "cap_reservations",
        sa.Column(
            "offering_id",
            sa.Uuid,
            sa.ForeignKey("grant_offerings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("block_id", sa.String(32), nullable=False),
        sa.Column("mineral", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scale_unit", sa.String(20), nullable=False),
        sa.Column("scale_value", sa.Numeric(14, 4), nullable=False),
    )
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER grant_offerings_reserve AFTER INSERT OR UPDATE OF state, block_id, "
        "mineral, scale_unit, scale_value ON grant_offerings "
        "FOR EACH ROW EXECUTE FUNCTION reserve_cap_places()"
    )
    op.execute(  # offerings already open
        "INSERT INTO cap_reservations SELECT id, block_id, mineral, state, scale_unit, "
        f"scale_value FROM grant_offerings WHERE state IN {OPEN}"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER grant_offerings_reserve ON grant_offerings")
    op.execute("DROP FUNCTION reserve_cap_places()")
    op.drop_table("cap_reservations")
