"""Publicity periods 公示 counted in working days of the mainland statutory calendar."""

from datetime import date
from uuid import UUID

from mining_rights import MiningRight
from servicekit import clock, workdays
from servicekit.errors import Conflict
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.editions import service as editions
from greenmine_api.listings.models import Listing
from greenmine_api.publicity.models import Objection, Publicity
from greenmine_api.publicity.schemas import ObjectionCreate, ObjectionDecision, PublicityFilters
from greenmine_api.queries import fetch_all, save
from greenmine_api.settings import GreenmineSettings
from greenmine_api.submissions import service as submissions


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
    mine: Listing | MiningRight,
    starts_on: date,
    application_id: UUID | None = None,
    rectification_id: UUID | None = None,
) -> Publicity:
    """A period of the active edition's number of working days from ``starts_on`` about ``mine``
    (its right, holder and name), deciding an application or a rectification."""
    days = (await editions.active(session)).publicity_workdays
    pub = Publicity(
        application_id=application_id,
        rectification_id=rectification_id,
        kind=kind,
        right_id=mine.right_id,
        holder_id=mine.holder_id,
        mine_name=mine.mine_name,
        starts_on=starts_on,
        ends_on=await period_end(session, starts_on, days),
        workdays=days,
        status="open",
    )
    return await save(session, pub)


async def get(session: AsyncSession, publicity_id: UUID, *, for_update: bool = False) -> Publicity:
    return await get_or_404(
        session, Publicity, publicity_id, what="publicity", for_update=for_update
    )


async def list_publicities(
    *, session: AsyncSession, page: PageParams, filters: PublicityFilters
) -> Page[Publicity]:
    query = select(Publicity)
    if filters.status:
        query = query.where(Publicity.status == filters.status)
    return await paginate(
        session, query, page, order=(Publicity.starts_on, Publicity.id), descending=True
    )


async def due(session: AsyncSession, *, today: date) -> list[Publicity]:
    """Open publicities past their last day (rows a request is closing right now skipped)."""
    query = select(Publicity).where(Publicity.status == "open", Publicity.ends_on < today)
    return await fetch_all(session, query.with_for_update(skip_locked=True))


def conclude(session: AsyncSession, pub: Publicity, *, upheld: bool) -> None:
    pub.status = "failed" if upheld else "passed"
    pub.closed_at = clock.now()
    session.add(pub)


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
    *,
    session: AsyncSession,
    publicity_id: UUID,
    data: ObjectionCreate,
    address: str,
    settings: GreenmineSettings,
) -> Objection:
    """Anyone, within the period; counted against the address's limit first."""
    await submissions.admit(session=session, address=address, kind="objection", settings=settings)
    pub = await get(session, publicity_id)
    today = clock.local_today()
    if pub.status != "open" or not pub.starts_on <= today <= pub.ends_on:
        raise Conflict(f"Objections are taken from {pub.starts_on} to {pub.ends_on} while open.")
    objection = Objection(**data.model_dump(), publicity_id=pub.id, status="pending")
    return await save(session, objection)


async def decide_objection(
    *, session: AsyncSession, objection_id: UUID, data: ObjectionDecision
) -> Objection:
    objection = await get_or_404(
        session, Objection, objection_id, what="objection", for_update=True
    )
    if objection.status != "pending":
        raise Conflict(f"The objection is already {objection.status}.")
    objection.status = "upheld" if data.upheld else "dismissed"
    objection.decision_note = data.note
    objection.decided_at = clock.now()
    return await save(session, objection)


async def objections(
    *, session: AsyncSession, publicity_id: UUID, page: PageParams
) -> Page[Objection]:
    await get(session, publicity_id)
    query = select(Objection).where(Objection.publicity_id == publicity_id)
    return await paginate(session, query, page, order=(Objection.filed_at, Objection.id))


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
        pub.status, pub.closed_at = "failed", clock.now()
        session.add(pub)
    return len(pubs)
