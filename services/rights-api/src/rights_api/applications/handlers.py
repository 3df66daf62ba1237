"""Events rights-api consumes."""

from contracts.restoration import AcceptancePassed
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications import service

handlers = Handlers()


@handlers.on(AcceptancePassed)
async def closure_restoration_accepted(
    session: AsyncSession, event: CloudEvent, payload: AcceptancePassed
) -> None:
    """A closure waits for its restoration acceptance (第六章第二节); this releases it."""
    await service.release_closure(session=session, payload=payload, source=event.source)
