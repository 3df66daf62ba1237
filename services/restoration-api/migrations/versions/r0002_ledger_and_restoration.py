"""Restoration funds as a double-entry ledger; accrual rule sets; plans, obligations, works,
acceptances, closure cases, land balance; legacy sites and targets; rectification orders.

The ledger's guarantees live in the database too: entries and transfers refuse UPDATE, DELETE
and TRUNCATE (a reversal is the only correction), and a deferred constraint trigger refuses at
commit any transfer whose entries do not balance or do not add up to its amount.

Revision ID: r0002
Revises: r0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "r0002"
down_revision: str | None = "r0001"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

LEDGER_SQL = (
    """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger % rows are never changed or deleted (% refused); post a reversal',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$
""",
    """
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
""",
    """
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
""",
    """
CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
""",
    """
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
""",
    """
CREATE FUNCTION ledger_transfer_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tid uuid;
    debits bigint;
    credits bigint;
    legs int;
    amount bigint;
BEGIN
    IF TG_TABLE_NAME = 'entries' THEN tid := NEW.transfer_id; ELSE tid := NEW.id; END IF;
    SELECT coalesce(sum(amount_fen) FILTER (WHERE side = 'debit'), 0),
           coalesce(sum(amount_fen) FILTER (WHERE side = 'credit'), 0),
           count(*)
      INTO debits, credits, legs
      FROM entries WHERE transfer_id = tid;
    SELECT amount_fen INTO amount FROM transfers WHERE id = tid;
    IF legs < 2 OR debits <> credits OR debits <> amount THEN
        RAISE EXCEPTION 'transfer % does not balance: debits %, credits %, amount %, % entries',
            tid, debits, credits, amount, legs USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE CONSTRAINT TRIGGER transfers_balanced AFTER INSERT ON transfers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transfer_balanced()
""",
    """
CREATE CONSTRAINT TRIGGER entries_balanced AFTER INSERT ON entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transfer_balanced()
""",
)


def upgrade() -> None:
    op.create_table(
        "accrual_rule_sets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("base_rates", postgresql.JSONB(), nullable=False),
        sa.Column("method_factors", postgresql.JSONB(), nullable=False),
        sa.Column("land_type_factors", postgresql.JSONB(), nullable=False),
        sa.Column("region_factors", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(
        op.f("ix_accrual_rule_sets_effective_from"),
        "accrual_rule_sets",
        ["effective_from"],
        unique=False,
    )
    op.create_table(
        "funds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=True),
        sa.Column("holder_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("right_id"),
    )
    op.create_index("funds_opened_at_id", "funds", ["opened_at", "id"], unique=False)
    op.create_index(op.f("ix_funds_holder_id"), "funds", ["holder_id"], unique=False)
    op.create_table(
        "mines",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("mine_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mineral", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("area_km2", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("right_id"),
    )
    op.create_index(op.f("ix_mines_holder_id"), "mines", ["holder_id"], unique=False)
    op.create_table(
        "plan_targets",
        sa.Column("edition", sa.String(length=20), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("binding", sa.Boolean(), nullable=False),
        sa.Column("period_from", sa.Integer(), nullable=False),
        sa.Column("period_to", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(length=100), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("edition", "indicator"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("normal", sa.String(length=8), nullable=False),
        sa.Column("non_negative", sa.Boolean(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("NOT non_negative OR balance_fen >= 0", name="accounts_non_negative"),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["funds.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fund_id", "code", name="accounts_fund_code"),
    )
    op.create_table(
        "closure_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("acceptance_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    op.create_index(op.f("ix_closure_cases_right_id"), "closure_cases", ["right_id"], unique=False)
    op.create_table(
        "land_balances",
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("occupied_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("restored_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("right_id", "year"),
    )
    op.create_table(
        "legacy_sites",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("edition", sa.String(length=20), nullable=False),
        sa.Column("damaged_area_ha", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("fund_id", sa.Uuid(), nullable=True),
        sa.Column("plan_clause", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["funds.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "obligations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("document_ref", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("right_id", "kind", "year", name="obligations_right_kind_year"),
    )
    op.create_index("obligations_status_due", "obligations", ["status", "due_on"], unique=False)
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ordered_by", sa.String(length=200), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_rectifications_holder_id"), "rectifications", ["holder_id"], unique=False
    )
    op.create_index(
        op.f("ix_rectifications_right_id"), "rectifications", ["right_id"], unique=False
    )
    op.create_index(
        "rectifications_status_due", "rectifications", ["status", "due_on"], unique=False
    )
    op.create_table(
        "restoration_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("estimated_cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("area_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("schedule", postgresql.JSONB(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "restoration_plans_right_kind", "restoration_plans", ["right_id", "kind"], unique=False
    )
    op.create_table(
        "shortfalls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("required_fen", sa.BigInteger(), nullable=False),
        sa.Column("deposited_fen", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["funds.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fund_id", "required_fen", name="shortfalls_fund_level"),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("work_id", sa.Uuid(), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("posted_by", sa.String(length=200), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="transfers_amount_positive"),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["funds.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["transfers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reverses_id"),
    )
    op.create_index(op.f("ix_transfers_work_id"), "transfers", ["work_id"], unique=False)
    op.create_index(
        "transfers_fund_posted", "transfers", ["fund_id", "posted_at", "id"], unique=False
    )
    op.create_table(
        "accruals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Uuid(), nullable=False),
        sa.Column("output", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("land_type", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("rule_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("plan_need_fen", sa.BigInteger(), nullable=False),
        sa.Column("required_before_fen", sa.BigInteger(), nullable=False),
        sa.Column("posted_fen", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["funds.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"],
            ["accrual_rule_sets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fund_id", "year", name="accruals_fund_year"),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="entries_amount_positive"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_entries_account_id"), "entries", ["account_id"], unique=False)
    op.create_index(op.f("ix_entries_transfer_id"), "entries", ["transfer_id"], unique=False)
    op.create_table(
        "works",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=True),
        sa.Column("legacy_site_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("estimated_cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["legacy_site_id"],
            ["legacy_sites.id"],
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_works_legacy_site_id"), "works", ["legacy_site_id"], unique=False)
    op.create_index(op.f("ix_works_right_id"), "works", ["right_id"], unique=False)
    op.create_table(
        "acceptances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=True),
        sa.Column("legacy_site_id", sa.Uuid(), nullable=True),
        sa.Column("work_id", sa.Uuid(), nullable=True),
        sa.Column("closure_case_id", sa.Uuid(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("accepted_area_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspected_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["closure_case_id"],
            ["closure_cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["legacy_site_id"],
            ["legacy_sites.id"],
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["mines.right_id"],
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["works.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("acceptances_inspected", "acceptances", ["inspected_on", "id"], unique=False)
    op.create_index(
        op.f("ix_acceptances_legacy_site_id"), "acceptances", ["legacy_site_id"], unique=False
    )
    op.create_index(op.f("ix_acceptances_right_id"), "acceptances", ["right_id"], unique=False)

    for statement in LEDGER_SQL:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "acceptances", "land_balances", "closure_cases", "works", "rectifications",
        "obligations", "restoration_plans", "shortfalls", "accruals", "entries", "transfers",
        "accounts", "legacy_sites", "plan_targets", "mines", "funds", "accrual_rule_sets",
    ):  # fmt: skip
        op.drop_table(table)
    op.execute("DROP FUNCTION ledger_transfer_balanced()")
    op.execute("DROP FUNCTION ledger_refuse_change()")
