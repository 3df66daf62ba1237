"""The mining right a caller acts on, from the shared read model (``mining_rights``)."""

from uuid import UUID

from mining_rights import MiningRight
from mining_rights import service as mining_rights
from servicekit.auth import Principal
from sqlmodel.ext.asyncio.session import AsyncSession


async def acted_on(*, session: AsyncSession, right_id: UUID, caller: Principal) -> MiningRight:
    """An unknown right is a 404; another holder's is a 403, since the caller named it."""
    mine = await mining_rights.get(session=session, right_id=right_id)
    caller.ensure_holder(str(mine.holder_id))
    return mine
