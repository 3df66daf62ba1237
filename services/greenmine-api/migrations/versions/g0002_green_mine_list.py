"""The green-mine list: standards, editions, mines, applications, evaluations, publicity,
listings and their history, exit notices, rectifications, change requests, experts, spot
checks, complaints.

Revision ID: g0002
Revises: g0001
Create Date: 2026-11-28 23:15:30.075587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "g0002"
down_revision: str | Sequence[str] | None = "g0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "editions",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("green_mine_target", sa.Integer(), nullable=False),
        sa.Column("review_interval_years", sa.Integer(), nullable=False),
        sa.Column("review_application_lead_months", sa.Integer(), nullable=False),
        sa.Column("rectification_months", sa.Integer(), nullable=False),
        sa.Column("publicity_workdays", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("reference_listings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "evaluator_orgs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credit_code"),
    )
    op.create_table(
        "experts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("specialty", sa.String(length=100), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("tied_holder_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("tied_org_ids", sa.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "listings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("next_review_due", sa.Date(), nullable=False),
        sa.Column("benefits_suspended", sa.Boolean(), nullable=False),
        sa.Column("evaluator_org_id", sa.String(length=64), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        sa.Column("review_overdue_for", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_listings_holder_id"), "listings", ["holder_id"], unique=False)
    op.create_index(op.f("ix_listings_right_id"), "listings", ["right_id"], unique=False)
    op.create_index("listings_entry_date_id", "listings", ["entry_date", "id"], unique=False)
    op.create_index(
        "listings_one_active_per_right",
        "listings",
        ["right_id"],
        unique=True,
        postgresql_where="status <> 'delisted'",
    )
    op.create_table(
        "tracked_mines",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("licence_no", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("obliged", sa.Boolean(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index(
        op.f("ix_tracked_mines_holder_id"), "tracked_mines", ["holder_id"], unique=False
    )
    op.create_index(
        op.f("ix_tracked_mines_mine_name"), "tracked_mines", ["mine_name"], unique=False
    )
    op.create_table(
        "public_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "public_submissions_client_at", "public_submissions", ["client", "at"], unique=False
    )
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=False),
        sa.Column("algorithm", sa.String(length=60), nullable=False),
        sa.Column("share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("experts_per_mine", sa.Integer(), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("draw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "standards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("total_points", sa.Integer(), nullable=False),
        sa.Column("pass_total", sa.Integer(), nullable=False),
        sa.Column("category_min_ratio", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("categories", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prerequisites", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "version", name="standards_code_version"),
    )
    op.create_table(
        "green_applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("statement", sa.String(length=2000), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["evaluator_orgs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "green_applications_filed_at_id", "green_applications", ["filed_at", "id"], unique=False
    )
    op.create_index(
        "green_applications_one_open_per_right",
        "green_applications",
        ["right_id"],
        unique=True,
        postgresql_where="status IN ('filed', 'assigned', 'passed', 'publicity')",
    )
    op.create_index(
        op.f("ix_green_applications_holder_id"), "green_applications", ["holder_id"], unique=False
    )
    op.create_index(
        op.f("ix_green_applications_org_id"), "green_applications", ["org_id"], unique=False
    )
    op.create_index(
        op.f("ix_green_applications_right_id"), "green_applications", ["right_id"], unique=False
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_change_requests_listing_id"), "change_requests", ["listing_id"], unique=False
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision_note", sa.String(length=2000), nullable=True),
        sa.Column("rectification_id", sa.Uuid(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("complaints_filed_at_id", "complaints", ["filed_at", "id"], unique=False)
    op.create_index(op.f("ix_complaints_listing_id"), "complaints", ["listing_id"], unique=False)
    op.create_table(
        "exit_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("text_zh", sa.String(length=2000), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("listing_id"),
        sa.UniqueConstraint("year", "seq", name="exit_notices_year_seq"),
    )
    op.create_table(
        "listing_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_listing_history_listing_id"), "listing_history", ["listing_id"], unique=False
    )
    op.create_table(
        "green_rectifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=2000), nullable=True),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decision_note", sa.String(length=2000), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_green_rectifications_listing_id"),
        "green_rectifications",
        ["listing_id"],
        unique=False,
    )
    op.create_index(
        "green_rectifications_status_due_on",
        "green_rectifications",
        ["status", "due_on"],
        unique=False,
    )
    op.create_table(
        "spot_check_findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("spot_check_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("compliant", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.String(length=4000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_spot_check_findings_listing_id"),
        "spot_check_findings",
        ["listing_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_spot_check_findings_spot_check_id"),
        "spot_check_findings",
        ["spot_check_id"],
        unique=False,
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prerequisites", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("team", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("report_filename", sa.String(length=200), nullable=False),
        sa.Column("report_content_type", sa.String(length=100), nullable=False),
        sa.Column("report_size", sa.Integer(), nullable=False),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.Column("report", sa.LargeBinary(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["green_applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["evaluator_orgs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    op.create_table(
        "publicities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("rectification_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("workdays", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["green_applications.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_publicities_right_id"), "publicities", ["right_id"], unique=False)
    op.create_index(
        "publicities_status_ends_on", "publicities", ["status", "ends_on"], unique=False
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("publicity_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decision_note", sa.String(length=2000), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["publicity_id"],
            ["publicities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_objections_publicity_id"), "objections", ["publicity_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index(op.f("ix_objections_publicity_id"), table_name="objections")
    op.drop_table("objections")
    op.drop_index("publicities_status_ends_on", table_name="publicities")
    op.drop_index(op.f("ix_publicities_right_id"), table_name="publicities")
    op.drop_table("publicities")
    op.drop_table("evaluations")
    op.drop_index(op.f("ix_spot_check_findings_spot_check_id"), table_name="spot_check_findings")
    op.drop_index(op.f("ix_spot_check_findings_listing_id"), table_name="spot_check_findings")
    op.drop_table("spot_check_findings")
    op.drop_index("green_rectifications_status_due_on", table_name="green_rectifications")
    op.drop_index(op.f("ix_green_rectifications_listing_id"), table_name="green_rectifications")
    op.drop_table("green_rectifications")
    op.drop_index(op.f("ix_listing_history_listing_id"), table_name="listing_history")
    op.drop_table("listing_history")
    op.drop_table("exit_notices")
    op.drop_index(op.f("ix_complaints_listing_id"), table_name="complaints")
    op.drop_index("complaints_filed_at_id", table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_change_requests_listing_id"), table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_index(op.f("ix_green_applications_right_id"), table_name="green_applications")
    op.drop_index(op.f("ix_green_applications_org_id"), table_name="green_applications")
    op.drop_index(op.f("ix_green_applications_holder_id"), table_name="green_applications")
    op.drop_index(
        "green_applications_one_open_per_right",
        table_name="green_applications",
        postgresql_where="status IN ('filed', 'assigned', 'passed', 'publicity')",
    )
    op.drop_index("green_applications_filed_at_id", table_name="green_applications")
    op.drop_table("green_applications")
    op.drop_table("standards")
    op.drop_table("spot_checks")
    op.drop_index("public_submissions_client_at", table_name="public_submissions")
    op.drop_table("public_submissions")
    op.drop_index(op.f("ix_tracked_mines_mine_name"), table_name="tracked_mines")
    op.drop_index(op.f("ix_tracked_mines_holder_id"), table_name="tracked_mines")
    op.drop_table("tracked_mines")
    op.drop_index(
        "listings_one_active_per_right",
        table_name="listings",
        postgresql_where="status <> 'delisted'",
    )
    op.drop_index("listings_entry_date_id", table_name="listings")
    op.drop_index(op.f("ix_listings_right_id"), table_name="listings")
    op.drop_index(op.f("ix_listings_holder_id"), table_name="listings")
    op.drop_table("listings")
    op.drop_table("experts")
    op.drop_table("evaluator_orgs")
    op.drop_table("editions")
