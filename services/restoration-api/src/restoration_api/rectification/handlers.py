"""A right transferred in rights-api: the mine's unresolved rectification orders follow it."""

from contracts.rights import RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.rectification import service

handlers = Handlers()


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    await service.follow_holder(session=session, right_id=payload.right_id)
