"""Recording and reading the journal, the notifier's ordered log of domain events."""

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from uuid import UUID

from servicekit.events.envelope import CloudEvent
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import text
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal.models import ReceivedEvent

# Held from the append to the commit: positions are taken and committed one transaction at a
# time, so the log never gains a row below a position a reader has already passed. Appends are
# a few per second at most; the lock costs that rate nothing.
APPEND_LOCK = 0x6A6F75726E616C  # "journal"


def facets(data: dict[str, Any]) -> dict[str, str | None]:
    """What subscriptions filter on, where the event carries it: the holder (a transfer's new
    holder), the right, the mineral, the zone."""

    def text_of(*names: str) -> str | None:
        for name in names:
            if isinstance(data.get(name), str | int):
                return str(data[name])
        return None

    return {
        "holder_id": text_of("holder_id", "to_holder_id"),
        "right_id": text_of("right_id"),
        "mineral": text_of("mineral"),
        "zone": text_of("zone"),
    }


async def record(*, session: AsyncSession, event: CloudEvent) -> ReceivedEvent:
    """Append ``event`` at the end of the log (the consumer's inbox already dropped repeats)."""
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=APPEND_LOCK))
    fields = asdict(event)  # the journal keeps the event's id and time under its own names
    event_id, occurred_at = fields.pop("id"), fields.pop("time")
    entry = ReceivedEvent(
        **fields, **facets(event.data), event_id=event_id, occurred_at=occurred_at
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


async def read_after(
    *,
    session: AsyncSession,
    after: int,
    limit: int,
    types: Sequence[str] | None = None,
    holder_id: str | None = None,
) -> list[ReceivedEvent]:
    """Up to ``limit`` entries past position ``after``, in log order; only ``types`` when given,
    only the events about ``holder_id`` (as holder, seller or buyer) when given."""
    query = select(ReceivedEvent).where(col(ReceivedEvent.id) > after)
    if types:
        query = query.where(col(ReceivedEvent.type).in_(types))
    if holder_id is not None:
        query = query.where(
            or_(
                col(ReceivedEvent.holder_id) == holder_id,
                ReceivedEvent.data["from_holder_id"].astext == holder_id,  # type: ignore[index]
            )
        )
    query = query.order_by(col(ReceivedEvent.id)).limit(limit)
    return list((await session.exec(query)).all())


async def last_position(*, session: AsyncSession) -> int:
    query = select(ReceivedEvent.id).order_by(col(ReceivedEvent.id).desc()).limit(1)
    return (await session.exec(query)).first() or 0


async def entries_by_id(*, session: AsyncSession, ids: Sequence[int]) -> dict[int, ReceivedEvent]:
    rows = await session.exec(select(ReceivedEvent).where(col(ReceivedEvent.id).in_(ids)))
    return {row.id: row for row in rows.all() if row.id is not None}


async def position_of(*, session: AsyncSession, event_id: UUID) -> int:
    """The log position of the event ``event_id`` (logged earlier in this transaction)."""
    query = select(ReceivedEvent.id).where(col(ReceivedEvent.event_id) == event_id)
    return (await session.exec(query)).one()
