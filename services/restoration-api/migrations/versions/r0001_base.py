"""Start of the restoration branch: fund ledger tables come with the restoration issue.

Revision ID: r0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "r0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("restoration",)
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
