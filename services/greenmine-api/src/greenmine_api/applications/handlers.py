"""A mine that closed or changed hands: its open application is cancelled (the buyer starts
from scratch with an application of its own)."""

from contracts.rights import MineClosed, RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications import service

handlers = Handlers()


@handlers.on(RightTransferred)
@handlers.on(MineClosed)
async def mine_gone(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred | MineClosed
) -> None:
    await service.cancel_open(session, right_id=payload.right_id)
