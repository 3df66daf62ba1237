"""Deadlines from events, without domain knowledge: every event type in the contracts registry
whose payload has a ``deadline`` field sets, moves, meets, cancels or reports it overdue.
Three events are read for what they imply: a closed mine owes nothing more, a transferred
right's deadlines are the new holder's, and a granted or renewed licence expires at the end of
its validity."""

from contracts import Deadline as DeadlineEvent
from contracts import EventPayload
from contracts.deadline import Audience
from contracts.rights import MineClosed, RightGranted, RightRenewed, RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.deadlines import service

handlers = Handlers()
LICENCE_EXPIRY = "licence_expiry"


def licence_deadline(right_id: str, holder_id: str, licence_no: str, valid_to) -> DeadlineEvent:
    return DeadlineEvent(
        id=f"licence-expiry:{right_id}",
        kind=LICENCE_EXPIRY,
        due_at=valid_to,
        subject=right_id,
        audience=Audience(holder_id=holder_id),
        title_zh=f"许可证{licence_no}有效期届满",
    )


async def deadline_event(session: AsyncSession, event: CloudEvent, payload: EventPayload) -> None:
    deadline = getattr(payload, "deadline", None)
    if deadline is not None:  # optional on some events (an application's review deadline)
        await service.apply(session=session, deadline=deadline, event_type=event.type)


for model in service.DEADLINE_EVENTS:
    handlers.on(model)(deadline_event)


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    await service.cancel_subject(
        session=session, subject=str(payload.right_id), event_type=event.type
    )


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    await service.readdress(
        session=session,
        subject=str(payload.right_id),
        from_holder=str(payload.from_holder_id),
        to_holder=str(payload.to_holder_id),
        event_type=event.type,
    )


@handlers.on(RightGranted)
@handlers.on(RightRenewed)
async def licence_issued(
    session: AsyncSession, event: CloudEvent, payload: RightGranted | RightRenewed
) -> None:
    """A granted or renewed licence expires at the end of its validity."""
    deadline = licence_deadline(
        str(payload.right_id), str(payload.holder_id), payload.licence_no, payload.valid_to
    )
    await service.apply(session=session, deadline=deadline, event_type=event.type)
