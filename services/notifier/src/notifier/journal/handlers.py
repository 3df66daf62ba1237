"""The journal keeps every event the notifier takes in, as it arrived."""

from contracts import registry
from contracts.rights import (
    HolderRegistered,
    MineClosed,
    RightGranted,
    RightRenewed,
    RightTransferred,
)
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal import service

handlers = Handlers()
# each event carrying a deadline, the rights events read for the deadlines and holders they
# imply, and holder registrations (kept for the record only)
TAKEN_IN = [model for model in registry if "deadline" in model.model_fields] + [
    MineClosed,
    RightGranted,
    RightRenewed,
    RightTransferred,
    HolderRegistered,
]


async def received(session: AsyncSession, event: CloudEvent, payload: object) -> None:
    await service.record(session=session, event=event)


for model in TAKEN_IN:
    handlers.on(model)(received)
