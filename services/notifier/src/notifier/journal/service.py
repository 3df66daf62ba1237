"""Recording and reading the journal."""

from servicekit.events.envelope import CloudEvent
from servicekit.pagination import PageParams
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
) -> list[ReceivedEvent]:
    query = select(ReceivedEvent).order_by(ReceivedEvent.id).limit(page.limit + 1)
    if type:
        query = query.where(ReceivedEvent.type == type)
    if page.after:
        query = query.where(ReceivedEvent.id > page.after[0])
    return list((await session.exec(query)).all())
