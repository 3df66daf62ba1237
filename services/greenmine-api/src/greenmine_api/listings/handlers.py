"""A reference grant (专栏一's mines, announced by rights-api): the mines already on the list
when the edition took effect are listed from their entry date."""

from contracts.rights import RightGranted
from servicekit import clock
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.listings import service

handlers = Handlers()


@handlers.on(RightGranted)
async def reference_granted(
    session: AsyncSession, event: CloudEvent, payload: RightGranted
) -> None:
    if payload.reference:
        await service.apply_reference_listings(session=session, today=clock.local_today(event.time))
