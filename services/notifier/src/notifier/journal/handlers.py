"""What the notifier does with events from other services."""

from contracts.rights import HolderRegistered
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal import service

handlers = Handlers()


@handlers.on(HolderRegistered)
async def holder_registered(
    session: AsyncSession, event: CloudEvent, payload: HolderRegistered
) -> None:
    await service.record(session=session, event=event)
