"""Domain events for other government systems: the journal becomes the ordered log (64-bit
positions, one row per event, the fields subscriptions filter on), event subscriptions and
their delivery queue.

Revision ID: n0004
Revises: n0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "n0004"
down_revision: str | None = "n0003"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.alter_column("received_events", "id", type_=sa.BigInteger, existing_nullable=False)
    for name in ("holder_id", "right_id", "mineral", "zone"):
        op.add_column("received_events", sa.Column(name, sa.String(100)))
    op.execute(
        "UPDATE received_events SET holder_id = COALESCE(data->>'holder_id', "
        "data->>'to_holder_id'), right_id = data->>'right_id', mineral = data->>'mineral', "
        "zone = data->>'zone'"
    )
    op.create_index("received_events_holder", "received_events", ["holder_id", "id"])
    op.create_index("received_events_event_id", "received_events", ["event_id"], unique=True)

    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("types", postgresql.ARRAY(sa.String(200)), nullable=False),
        sa.Column("holder_id", sa.String(100)),
        sa.Column("right_id", sa.String(100)),
        sa.Column("mineral", sa.String(100)),
        sa.Column("zone", sa.String(100)),
        sa.Column("personal_data", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.String(500)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "event_subscriptions_created_by",
        "event_subscriptions",
        ["created_by", "created_at", "id"],
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("subscription_id", sa.Uuid, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("subject_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("subscription_id", "position", name="event_deliveries_once"),
    )
    op.create_index(
        "event_deliveries_due",
        "event_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "event_deliveries_queue",
        "event_deliveries",
        ["subscription_id", "subject_key", "position"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "event_deliveries_by_subscription", "event_deliveries", ["subscription_id", "position"]
    )


def downgrade() -> None:
    op.drop_table("event_deliveries")
    op.drop_table("event_subscriptions")
    op.drop_index("received_events_event_id", "received_events")
    op.drop_index("received_events_holder", "received_events")
    for name in ("zone", "mineral", "right_id", "holder_id"):
        op.drop_column("received_events", name)
    op.alter_column("received_events", "id", type_=sa.Integer, existing_nullable=False)
