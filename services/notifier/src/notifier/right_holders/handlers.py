"""A transferred right has a new holder of record; the seller joins its former holders."""

from contracts.rights import RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.right_holders import service

handlers = Handlers()


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    await service.record_transfer(session=session, transfer=payload)
