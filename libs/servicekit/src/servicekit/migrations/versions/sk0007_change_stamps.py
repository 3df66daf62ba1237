"""Change stamps (servicekit.change_stamps): the log and totals behind conditional GETs, and the
trigger function a service's migrations attach (change_stamps.track) to the tables its cached
answers are built from.

Revision ID: sk0007
Revises: sk0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sk0007"
down_revision: str | None = "sk0005"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE change_log (
            table_name text NOT NULL,
            xid bigint NOT NULL,
            PRIMARY KEY (table_name, xid)
        )
        """
    )
    op.execute("CREATE TABLE change_totals (table_name text PRIMARY KEY, changes bigint NOT NULL)")
    # one row per (table, writing transaction); a rollback takes it back with the write
    op.execute(
        """
        CREATE FUNCTION track_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_log (table_name, xid)
            VALUES (TG_TABLE_NAME, pg_current_xact_id()::text::bigint)
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION track_change() CASCADE")
    op.execute("DROP TABLE change_totals")
    op.execute("DROP TABLE change_log")
