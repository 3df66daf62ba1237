"""Random patrols 随机巡查 (hired professionals, draws; inspections linked to a draw) and the
integrity record 诚信体系 (append-only entries: a trigger refuses UPDATE, DELETE and TRUNCATE).

Revision ID: r0011
Revises: r0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0011"
down_revision: str | None = "r0012"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patrol_professionals",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("speciality", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("employer_holder_id", sa.Uuid, sa.ForeignKey("holders.id")),
        sa.Column("conflict_right_ids", JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index(
        "patrol_professionals_created_at_id", "patrol_professionals", ["created_at", "id"]
    )
    op.create_table(
        "patrol_draws",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("professionals_per_mine", sa.Integer, nullable=False),
        sa.Column("seed", sa.String(128), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("inputs", JSONB, nullable=False),
        sa.Column("inputs_sha256", sa.String(64), nullable=False),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("drawn_by", sa.String(200), nullable=False),
        sa.Column("drawn_at", TZ, nullable=False),
    )
    op.create_index("patrol_draws_drawn_at_id", "patrol_draws", ["drawn_at", "id"])
    op.add_column(
        "inspections",
        sa.Column("patrol_draw_id", sa.Uuid, sa.ForeignKey("patrol_draws.id")),
    )
    op.create_index("ix_inspections_patrol_draw_id", "inspections", ["patrol_draw_id"])

    op.create_table(
        "integrity_entries",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("holder_id", sa.Uuid, nullable=False),
        sa.Column("right_id", sa.Uuid),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("summary_zh", sa.Text, nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("source_event_id", sa.String(120), nullable=False, unique=True),
        sa.Column("source_type", sa.String(100), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("detail", JSONB, nullable=False),
        sa.Column("corrects_entry_id", sa.Uuid, sa.ForeignKey("integrity_entries.id"), unique=True),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("integrity_entries_holder_id_seq", "integrity_entries", ["holder_id", "seq"])
    op.create_index("integrity_entries_severity_seq", "integrity_entries", ["severity", "seq"])
    op.execute(
        """
        CREATE FUNCTION integrity_entries_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'integrity entries are append-only: % refused (record a correction)',
                TG_OP USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER integrity_entries_append_only BEFORE UPDATE OR DELETE "
        "ON integrity_entries FOR EACH ROW EXECUTE FUNCTION integrity_entries_append_only()"
    )
    op.execute(
        "CREATE TRIGGER integrity_entries_no_truncate BEFORE TRUNCATE "
        "ON integrity_entries FOR EACH STATEMENT EXECUTE FUNCTION integrity_entries_append_only()"
    )


def downgrade() -> None:
    op.drop_table("integrity_entries")
    op.execute("DROP FUNCTION integrity_entries_append_only()")
    op.drop_index("ix_inspections_patrol_draw_id", table_name="inspections")
    op.drop_column("inspections", "patrol_draw_id")
    op.drop_table("patrol_draws")
    op.drop_table("patrol_professionals")
