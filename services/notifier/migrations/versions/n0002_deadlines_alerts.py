"""Deadlines, subscriptions, alerts and their delivery attempts.

Revision ID: n0002
Revises: n0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "n0002"
down_revision: str | None = "n0001"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def _ts(name: str, nullable: bool = True, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("holder_id", sa.String(100)),
        sa.Column("role", sa.String(50)),
        sa.Column("org_id", sa.String(100)),
        sa.Column("title_zh", sa.String(500), nullable=False),
        sa.Column("due_at", sa.Date, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reminded_lead", sa.Integer),
        sa.Column("next_step", sa.String(20)),
        _ts("next_fire_at"),
        sa.Column("last_event_type", sa.String(200), nullable=False),
        _ts("created_at", False, server_default=sa.func.now()),
        _ts("updated_at", False, server_default=sa.func.now()),
    )
    op.create_index(
        "deadlines_due_work",
        "deadlines",
        ["next_fire_at"],
        postgresql_where=sa.text("next_fire_at IS NOT NULL"),
    )
    op.create_index("deadlines_subject", "deadlines", ["subject", "state"])
    op.create_index("deadlines_holder", "deadlines", ["holder_id", "due_at"])
    op.create_index("deadlines_due_at", "deadlines", ["due_at", "id"])

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("holder_id", sa.String(100)),
        sa.Column("role", sa.String(50)),
        sa.Column("org_id", sa.String(100)),
        sa.Column("kinds", postgresql.ARRAY(sa.String(100))),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("inbox_user", sa.String(200)),
        sa.Column("url", sa.String(2000)),
        sa.Column("secret", sa.String(200)),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.String(500)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
    )
    op.create_index("subscriptions_holder", "subscriptions", ["holder_id"])
    op.create_index("subscriptions_created_by", "subscriptions", ["created_by", "created_at"])
    op.create_index("subscriptions_created_at", "subscriptions", ["created_at", "id"])

    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deadline_id", sa.String(200), nullable=False),
        sa.Column("subscription_id", sa.Uuid, nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("due_at", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("next_attempt_at"),
        sa.Column("last_error", sa.Text),
        _ts("created_at", False),
        _ts("delivered_at"),
        _ts("read_at"),
        sa.UniqueConstraint("deadline_id", "step", "subscription_id", name="alerts_once"),
    )
    op.create_index(
        "alerts_due",
        "alerts",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("alerts_by_deadline", "alerts", ["deadline_id", "id"])
    op.create_index("alerts_by_subscription", "alerts", ["subscription_id", "id"])
    op.create_index(
        "alerts_inbox", "alerts", ["recipient", "id"], postgresql_where=sa.text("channel = 'inbox'")
    )
    op.create_index("alerts_dead", "alerts", ["id"], postgresql_where=sa.text("status = 'dead'"))

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("alert_id", sa.BigInteger, nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        _ts("started_at", False),
        _ts("finished_at"),
        sa.Column("outcome", sa.String(20)),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
    )
    op.create_index("delivery_attempts_alert", "delivery_attempts", ["alert_id", "id"])


def downgrade() -> None:
    for table in ("delivery_attempts", "alerts", "subscriptions", "deadlines"):
        op.drop_table(table)
