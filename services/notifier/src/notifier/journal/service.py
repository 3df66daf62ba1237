"""Recording and reading the journal."""

from servicekit.events.envelope import CloudEvent
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal.models import ReceivedEvent


async def record(*, session: AsyncSession, event: CloudEvent) -> ReceivedEvent:
    entry = ReceivedEvent(
        event_id=event.id,
        type=event.type,
        source=event.source,
        subject=event.subject,
        occurred_at=event.time,
        traceparent=event.traceparent,
        data=event.data,
    )
    session.add(entry)
    await session.flush()
    return entry


async def list_received(
    *, session: AsyncSession, page: PageParams, type: str | None = None
) -> Page[ReceivedEvent]:
    query = select(ReceivedEvent)
    if type:
        query = query.where(ReceivedEvent.type == type)
    return await paginate(session, query, page, order=(ReceivedEvent.id,))
