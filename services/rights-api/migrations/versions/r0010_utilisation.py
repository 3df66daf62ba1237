"""Three-rates reports 三率 (utilisation_reports) and the bureau's annual reserve verifications
年度资源储量动态核查 (reserve_checks).

Revision ID: r0010
Revises: r0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "r0010"
down_revision: str | None = "r0013"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)
TONNES = sa.Numeric(16, 2)
PERCENT = sa.Numeric(5, 2)


def upgrade() -> None:
    op.create_table(
        "utilisation_reports",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("ore_mined_t", TONNES, nullable=False),
        sa.Column("mining_recovery_pct", PERCENT, nullable=False),
        sa.Column("processing_recovery_pct", PERCENT),
        sa.Column("comprehensive_utilisation_pct", PERCENT),
        sa.Column("waste_rock_t", TONNES, nullable=False),
        sa.Column("waste_rock_reused_t", TONNES, nullable=False),
        sa.Column("edition_id", sa.Uuid, sa.ForeignKey("plan_editions.id"), nullable=False),
        sa.Column("edition_version", sa.Integer, nullable=False),
        sa.Column("findings", JSONB, nullable=False),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("right_id", "year", name="utilisation_reports_right_year"),
    )
    op.create_index(
        "utilisation_reports_created_at_id", "utilisation_reports", ["created_at", "id"]
    )
    op.create_index("utilisation_reports_year", "utilisation_reports", ["year"])
    op.create_table(
        "reserve_checks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("right_id", sa.Uuid, sa.ForeignKey("rights.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("overdue_at", TZ),
        sa.Column("mining_plan_filing_id", sa.Uuid, sa.ForeignKey("filings.id")),
        sa.Column("utilisation_report_id", sa.Uuid, sa.ForeignKey("utilisation_reports.id")),
        sa.Column("unit", sa.String(4)),
        sa.Column("planned_volume", TONNES),
        sa.Column("mined_volume", TONNES),
        sa.Column("within_planned_faces", sa.Boolean),
        sa.Column("reserves_consumed", TONNES),
        sa.Column("reserves_remaining", TONNES),
        sa.Column("checked_by", JSONB),
        sa.Column("checked_on", sa.Date),
        sa.Column("result", sa.String(8)),
        sa.Column("remarks", sa.Text),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", TZ),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("right_id", "year", name="reserve_checks_right_year"),
    )
    op.create_index("reserve_checks_created_at_id", "reserve_checks", ["created_at", "id"])
    op.create_index("reserve_checks_status_due_on", "reserve_checks", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("reserve_checks_status_due_on", table_name="reserve_checks")
    op.drop_index("reserve_checks_created_at_id", table_name="reserve_checks")
    op.drop_table("reserve_checks")
    op.drop_index("utilisation_reports_year", table_name="utilisation_reports")
    op.drop_index("utilisation_reports_created_at_id", table_name="utilisation_reports")
    op.drop_table("utilisation_reports")
