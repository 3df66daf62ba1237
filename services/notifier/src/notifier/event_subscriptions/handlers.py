"""Every event the journal logs is queued, in the same transaction, for the event
subscriptions it matches (the journal's handler runs first: ``app.py`` combines them so)."""

from contracts import registry
from servicekit import clock
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.event_subscriptions import service
from notifier.journal import service as journal

handlers = Handlers()


async def queue_for_subscribers(session: AsyncSession, event: CloudEvent, payload: object) -> None:
    position = await journal.position_of(session=session, event_id=event.id)
    await service.fan_out(session=session, position=position, now=clock.now())


for model in registry:
    handlers.on(model)(queue_for_subscribers)
