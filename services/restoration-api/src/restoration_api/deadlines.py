"""What the jobs that flag a missed date share."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def missed(session: AsyncSession, model: Any, *, status: str, today: date) -> Sequence[Any]:
    """Rows of ``model`` still ``status`` whose ``due_on`` passed before ``today``, locked; rows
    a concurrent run holds are skipped (it flags them)."""
    query = select(model).where(model.status == status, model.due_on < today)
    return (await session.exec(query.with_for_update(skip_locked=True))).all()
