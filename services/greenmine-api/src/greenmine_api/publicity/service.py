"""Publicity periods 公示 counted in working days of the mainland statutory calendar."""

from datetime import UTC, date, datetime
from uuid import UUID

from servicekit import workdays
from servicekit.errors import Conflict, NotFound
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.publicity.models import Objection, Publicity


async def period_end(session: AsyncSession, starts_on: date, n: int) -> date:
    """The last day of an n-working-day period starting on ``starts_on`` (counted as day one
    when it is a working day; a period published on a holiday starts on the next one)."""
    first = (
        starts_on
        if await workdays.is_workday(session, starts_on)
        else await workdays.add_workdays(session, starts_on, 1)
    )
    return await workdays.add_workdays(session, first, n - 1)


async def open(
    *,
    session: AsyncSession,
    kind: str,
    right_id: UUID,
    holder_id: UUID,
    mine_name: str,
    starts_on: date,
    workdays: int,
    application_id: UUID | None = None,
    rectification_id: UUID | None = None,
) -> Publicity:
    pub = Publicity(
        kind=kind,
        right_id=right_id,
        holder_id=holder_id,
        mine_name=mine_name,
        application_id=application_id,
        rectification_id=rectification_id,
        starts_on=starts_on,
        ends_on=await period_end(session, starts_on, workdays),
        workdays=workdays,
        status="open",
    )
    session.add(pub)
    await session.flush()
    return pub


async def get(session: AsyncSession, publicity_id: UUID, *, for_update: bool = False) -> Publicity:
    pub = await session.get(Publicity, publicity_id, with_for_update=for_update)
    if pub is None:
        raise NotFound(f"No publicity {publicity_id}.")
    return pub


async def pending_objections(session: AsyncSession, publicity_id: UUID) -> int:
    return await session.scalar(
        select(func.count()).where(
            Objection.publicity_id == publicity_id, Objection.status == "pending"
        )
    )


async def ready_to_close(session: AsyncSession, pub: Publicity, *, today: date) -> bool:
    """Refuses to close early or with undecided objections; True when one was upheld."""
    if pub.status != "open":
        raise Conflict(f"The publicity is already closed ({pub.status}).")
    if today <= pub.ends_on:
        raise Conflict(
            f"The publicity runs until {pub.ends_on} inclusive.", ends_on=pub.ends_on.isoformat()
        )
    if pending := await pending_objections(session, pub.id):
        raise Conflict(f"{pending} objection(s) still to be decided.")
    upheld = await session.scalar(
        select(func.count()).where(Objection.publicity_id == pub.id, Objection.status == "upheld")
    )
    return upheld > 0


async def object_to(
    *, session: AsyncSession, pub: Publicity, content: str, contact: str | None, today: date
) -> Objection:
    if pub.status != "open" or not pub.starts_on <= today <= pub.ends_on:
        raise Conflict(f"Objections are taken from {pub.starts_on} to {pub.ends_on} while open.")
    objection = Objection(publicity_id=pub.id, content=content, contact=contact, status="pending")
    session.add(objection)
    await session.flush()
    return objection


async def decide_objection(
    *, session: AsyncSession, objection_id: UUID, upheld: bool, note: str
) -> Objection:
    objection = await session.get(Objection, objection_id, with_for_update=True)
    if objection is None:
        raise NotFound(f"No objection {objection_id}.")
    if objection.status != "pending":
        raise Conflict(f"The objection is already {objection.status}.")
    objection.status = "upheld" if upheld else "dismissed"
    objection.decision_note = note
    objection.decided_at = datetime.now(UTC)
    session.add(objection)
    await session.flush()
    return objection


async def objections(session: AsyncSession, publicity_id: UUID) -> list[Objection]:
    return list(
        (
            await session.exec(
                select(Objection)
                .where(Objection.publicity_id == publicity_id)
                .order_by(Objection.filed_at)
            )
        ).all()
    )


async def end_open(session: AsyncSession, *, right_id: UUID) -> int:
    """The mine left the list or closed: a publicity about it has nothing left to decide."""
    pubs = (
        await session.exec(
            select(Publicity)
            .where(Publicity.right_id == right_id, Publicity.status == "open")
            .with_for_update()
        )
    ).all()
    for pub in pubs:
        pub.status, pub.closed_at = "failed", datetime.now(UTC)
        session.add(pub)
    return len(pubs)
