"""restoration-api's rectification orders, kept as a read model for offline sync (the app
needs them in the field, where restoration-api may not answer)."""

from contracts.restoration import (
    RectificationOrdered,
    RectificationOverdue,
    RectificationResolved,
)
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.sync import service

handlers = Handlers()


@handlers.on(RectificationOrdered)
async def ordered(session: AsyncSession, event: CloudEvent, payload: RectificationOrdered) -> None:
    await service.rectification_ordered(session=session, payload=payload)


@handlers.on(RectificationOverdue)
async def overdue(session: AsyncSession, event: CloudEvent, payload: RectificationOverdue) -> None:
    await service.rectification_moved(session=session, payload=payload, status="overdue")


@handlers.on(RectificationResolved)
async def resolved(
    session: AsyncSession, event: CloudEvent, payload: RectificationResolved
) -> None:
    await service.rectification_moved(session=session, payload=payload, status="resolved")
