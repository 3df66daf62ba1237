"""A record is dead-lettered once per consumer: a record delivered again (its partition moved to
another member before the offset was committed) finds its dead letter and adds none.

Duplicates already stored are folded into their first row, which keeps the earliest replay.

Revision ID: sk0008
Revises: sk0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sk0008"
down_revision: str | None = "sk0007"
branch_labels: Sequence[str] | None = None
depends_on: str | None = None

SAME_RECORD = """d.consumer = k.consumer AND d.topic = k.topic
    AND d.partition = k.partition AND d."offset" = k."offset\""""


def upgrade() -> None:
    op.execute(
        f"""
        UPDATE dead_letters k SET replayed_at = (
            SELECT min(d.replayed_at) FROM dead_letters d WHERE {SAME_RECORD}
        )
        WHERE k.replayed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE {SAME_RECORD} AND d.id < k.id)
        """
    )
    op.execute(
        f"DELETE FROM dead_letters d USING dead_letters k WHERE {SAME_RECORD} AND d.id > k.id"
    )
    op.create_unique_constraint(
        "dead_letters_once", "dead_letters", ["consumer", "topic", "partition", "offset"]
    )


def downgrade() -> None:
    op.drop_constraint("dead_letters_once", "dead_letters")
