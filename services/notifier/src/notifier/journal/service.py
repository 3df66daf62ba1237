"""Recording and reading the journal."""

from dataclasses import asdict

from servicekit.events.envelope import CloudEvent
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal.models import ReceivedEvent


async def record(*, session: AsyncSession, event: CloudEvent) -> ReceivedEvent:
    fields = asdict(event)  # the journal keeps the event's id and time under its own names
    event_id, occurred_at = fields.pop("id"), fields.pop("time")
    entry = ReceivedEvent(**fields, event_id=event_id, occurred_at=occurred_at)
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
