"""The rights projection: who holds a mine, what it extracts, whether it still runs."""

from uuid import UUID

from servicekit.auth import Principal
from servicekit.errors import NotFound
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.mines.models import Mine

ACTIVE = ("under_construction", "producing", "suspended", "closing")


async def get(*, session: AsyncSession, right_id: UUID, caller: Principal | None = None) -> Mine:
    mine = await session.get(Mine, right_id)
    if mine is None:
        raise NotFound(f"No mining right {right_id} is known to restoration-api.")
    if caller is not None:
        caller.ensure_holder(str(mine.holder_id))
    return mine
