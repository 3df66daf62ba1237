"""Closing a publicity 公示期满: after its last day, with every objection decided. An upheld
objection fails it; otherwise the mine is listed (entry), its review confirmed (review) or it
is re-listed (relisting). What follows is the application's (entry, review) or the exit's
(relisting: an upheld objection removes the mine)."""

from datetime import date, datetime
from uuid import UUID

from servicekit import clock
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications import service as applications
from greenmine_api.exits import service as exits
from greenmine_api.publicity import service as publicity
from greenmine_api.publicity.models import Publicity


async def close_publicity(*, session: AsyncSession, publicity_id: UUID, today: date) -> Publicity:
    pub = await publicity.get(session, publicity_id, for_update=True)
    upheld = await publicity.ready_to_close(session, pub, today=today)
    publicity.conclude(session, pub, upheld=upheld)
    if pub.kind == "relisting":
        await exits.conclude_relisting(session=session, pub=pub, upheld=upheld, today=today)
    else:
        await applications.conclude_publicity(session=session, pub=pub, upheld=upheld, today=today)
    await session.flush()
    return pub


async def close_due_publicities(session: AsyncSession, now: datetime) -> int:
    """Job: close every publicity whose period is over and whose objections are decided
    (rows a request is closing right now are skipped, not waited for)."""
    today = clock.local_today(now)
    closed = 0
    for pub in await publicity.due(session, today=today):
        if await publicity.pending_objections(session, pub.id):
            continue
        await close_publicity(session=session, publicity_id=pub.id, today=today)
        closed += 1
    return closed
