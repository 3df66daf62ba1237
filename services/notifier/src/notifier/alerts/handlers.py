"""Alerts not yet out that must stay unsent: their deadline was met or cancelled, the mine
closed, or the right passed to another holder (then the former holder's alerts only: they
would tell it about a mine no longer its own).

These run before the deadlines' own handlers of the same event (``app.py``): they read which
deadlines the right still owes as they stood before the event changed them."""

from contracts import DeadlineAction, EventPayload
from contracts.rights import MineClosed, RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.alerts import service
from notifier.deadlines import service as deadlines

handlers = Handlers()
ENDED = (DeadlineAction.met, DeadlineAction.cancelled)


async def deadline_event(session: AsyncSession, event: CloudEvent, payload: EventPayload) -> None:
    deadline = getattr(payload, "deadline", None)
    if deadline is not None and deadline.action in ENDED:
        await service.cancel_pending(session=session, deadline_ids=[deadline.id])


for model in deadlines.DEADLINE_EVENTS:
    handlers.on(model)(deadline_event)


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    owing = await deadlines.owing_ids(session=session, subject=str(payload.right_id))
    await service.cancel_pending(session=session, deadline_ids=owing)


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    seller = str(payload.from_holder_id)
    owing = await deadlines.owing_ids(
        session=session, subject=str(payload.right_id), holder_id=seller
    )
    await service.cancel_pending(session=session, deadline_ids=owing, holder_id=seller)
