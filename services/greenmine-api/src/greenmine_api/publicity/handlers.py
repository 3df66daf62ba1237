"""A mine that closed or changed hands: a publicity about it has nothing left to decide."""

from contracts.rights import MineClosed, RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.publicity import service

handlers = Handlers()


@handlers.on(RightTransferred)
@handlers.on(MineClosed)
async def mine_gone(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred | MineClosed
) -> None:
    await service.end_open(session, right_id=payload.right_id)
