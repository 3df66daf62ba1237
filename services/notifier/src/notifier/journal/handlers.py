"""What the journal records besides the events the deadlines package handles."""

from contracts.rights import HolderRegistered
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.deadlines.handlers import handlers
from notifier.journal import service


@handlers.on(HolderRegistered)
async def holder_registered(
    session: AsyncSession, event: CloudEvent, payload: HolderRegistered
) -> None:
    await service.record(session=session, event=event)
