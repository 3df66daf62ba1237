"""The journal keeps every domain event the notifier takes in, as it arrived: every type in
the contracts' registry, so the log behind ``GET /events`` and event subscriptions is the
whole stream of rights-api, restoration-api and greenmine-api."""

from contracts import registry
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal import service

handlers = Handlers()
TAKEN_IN = list(registry)


async def received(session: AsyncSession, event: CloudEvent, payload: object) -> None:
    await service.record(session=session, event=event)


for model in TAKEN_IN:
    handlers.on(model)(received)
