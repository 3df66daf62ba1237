"""Live mining rights tallied per mineral, level and unit, kept in step by a trigger.

Revision ID: r0004
Revises: r0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0004"
down_revision: str | None = "r0003"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

FUNCTION = """
CREATE FUNCTION tally_live_mines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- take out the old row's share, then add the new row's: live mining rights only
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'mining'
       AND OLD.status NOT IN ('closed', 'closed_by_policy') THEN
        UPDATE live_mine_tallies
           SET mines = mines - 1, output = output - coalesce(OLD.scale_value, 0)
         WHERE mineral = OLD.mineral AND licensing_level = OLD.licensing_level
           AND scale_unit = coalesce(OLD.scale_unit, '');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'mining'
       AND NEW.status NOT IN ('closed', 'closed_by_policy') THEN
        INSERT INTO live_mine_tallies AS t (mineral, licensing_level, scale_unit, mines, output)
        VALUES (NEW.mineral, NEW.licensing_level, coalesce(NEW.scale_unit, ''), 1,
                coalesce(NEW.scale_value, 0))
        ON CONFLICT (mineral, licensing_level, scale_unit) DO UPDATE
           SET mines = t.mines + 1, output = t.output + EXCLUDED.output;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "live_mine_tallies",
        sa.Column("mineral", sa.String(32), primary_key=True),
        sa.Column("licensing_level", sa.String(16), primary_key=True),
        sa.Column("scale_unit", sa.String(20), primary_key=True),
        sa.Column("mines", sa.Integer, nullable=False),
        sa.Column("output", sa.Numeric(18, 4), nullable=False),
    )
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER rights_tally AFTER INSERT OR DELETE OR UPDATE OF kind, status, "
        "mineral, licensing_level, scale_unit, scale_value ON rights "
        "FOR EACH ROW EXECUTE FUNCTION tally_live_mines()"
    )
    op.execute(  # rights already registered
        "INSERT INTO live_mine_tallies SELECT mineral, licensing_level, coalesce(scale_unit, ''), "
        "count(*), coalesce(sum(scale_value), 0) FROM rights WHERE kind = 'mining' "
        "AND status NOT IN ('closed', 'closed_by_policy') GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER rights_tally ON rights")
    op.execute("DROP FUNCTION tally_live_mines()")
    op.drop_table("live_mine_tallies")
