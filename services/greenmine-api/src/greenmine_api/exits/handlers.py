"""The green-mine title is not transferable and ends with the mine (第六章第一节): a transfer
or a closure removes the mine from the list with an exit notice."""

from contracts.rights import MineClosed, RightTransferred
from servicekit import clock
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.exits import service

handlers = Handlers()


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    await service.end_for_right(
        session=session,
        right_id=payload.right_id,
        reason="transferred",
        today=clock.local_today(payload.transferred_at),
        detail=f"transferred to {payload.to_holder_name or payload.to_holder_id}",
    )


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    await service.end_for_right(
        session=session,
        right_id=payload.right_id,
        reason="mine_closed",
        today=clock.local_today(payload.closed_at),
        detail=payload.reason,
    )
