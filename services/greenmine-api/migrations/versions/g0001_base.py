"""Start of the greenmine branch: list tables come with the green-mine issue.

Revision ID: g0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "g0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("greenmine",)
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
