"""Restoration works of a mine or a legacy site, and what was spent on them."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.lookup import get_or_404
from servicekit.pagination import Page
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.boundaries import place
from restoration_api.ledger.models import Transfer
from restoration_api.legacy_sites.schemas import MineOrSiteFilters
from restoration_api.legacy_sites.service import check_target
from restoration_api.money import to_fen, yuan
from restoration_api.rights import MineRows, acted_on, sees_mine
from restoration_api.works.models import Work
from restoration_api.works.schemas import WorkBoundarySet, WorkCreate, WorkPublic


async def create_work(
    *, session: AsyncSession, data: WorkCreate, caller: Principal, now: datetime
) -> WorkPublic:
    await check_target(session=session, target=data, caller=caller)
    taken = data.code and await session.scalar(select(Work.id).where(Work.code == data.code))
    if taken:
        raise Conflict(f"A work numbered {data.code} exists.")
    work_id = uuid4()
    work = Work(
        **data.model_dump(exclude={"estimated_cost", "code", "boundary"}),
        id=work_id,
        code=data.code or default_code(data.year, work_id),
        estimated_cost_fen=to_fen(data.estimated_cost),
        created_at=now,
    )
    place(work, data.boundary)
    session.add(work)
    await session.flush()
    return await work_public(session, work)


def default_code(year: int, work_id: UUID) -> str:
    """The number of a work registered without one (migration r0005 numbers old works so)."""
    return f"RA-{year}-{work_id.hex[:8].upper()}"


async def set_boundary(
    *, session: AsyncSession, work_id: UUID, data: WorkBoundarySet, caller: Principal
) -> WorkPublic:
    """A mine's work: the bureau, or the enterprise for its own mine; a legacy site's: the
    bureau."""
    work = await get_or_404(session, Work, work_id, what="work")
    if not await sees_mine(session, caller, work.right_id):
        raise NotFound(f"No work {work_id}.")
    if work.right_id is not None:
        await acted_on(session=session, right_id=work.right_id, caller=caller)
    place(work, data.boundary)
    session.add(work)
    await session.flush()
    return await work_public(session, work)


def _unreversed():
    return Transfer.id.not_in(select(Transfer.reverses_id).where(Transfer.reverses_id.is_not(None)))


async def work_spent_fen(session: AsyncSession, work_id: UUID) -> int:
    """Expenditures against the work minus those reversed."""
    spent = await session.scalar(
        select(func.coalesce(func.sum(Transfer.amount_fen), 0)).where(
            Transfer.work_id == work_id, _unreversed()
        )
    )
    return int(spent)


async def on_site(session: AsyncSession, site_id: UUID) -> tuple[int, int]:
    """How many works a legacy site has, and the fen spent on them net of reversals."""
    count = await session.scalar(select(func.count()).where(Work.legacy_site_id == site_id))
    spent = await session.scalar(
        select(func.coalesce(func.sum(Transfer.amount_fen), 0))
        .join(Work, Work.id == Transfer.work_id)
        .where(Work.legacy_site_id == site_id, _unreversed())
    )
    return count, int(spent)


async def work_public(session: AsyncSession, work: Work) -> WorkPublic:
    return WorkPublic(
        **work.model_dump(exclude={"estimated_cost_fen"}),
        estimated_cost=yuan(work.estimated_cost_fen),
        spent=yuan(await work_spent_fen(session, work.id)),
    )


async def find(*, session: AsyncSession, work_id: UUID) -> Work | None:
    return await session.get(Work, work_id)


async def get_work(*, session: AsyncSession, work_id: UUID, caller: Principal) -> WorkPublic:
    work = await get_or_404(session, Work, work_id, what="work")
    if not await sees_mine(session, caller, work.right_id):
        raise NotFound(f"No work {work_id}.")
    return await work_public(session, work)


async def list_works(rows: MineRows, filters: MineOrSiteFilters) -> Page[WorkPublic]:
    works = await rows.on_mines(Work, filters, Work.created_at, Work.id)
    return works.with_items([await work_public(rows.session, w) for w in works.items])


async def area_by_year(session: AsyncSession, right_id: UUID) -> dict[int, Decimal]:
    """The mine's worked area per year (for the disclosure)."""
    rows = await session.exec(
        select(Work.year, func.sum(Work.area_ha))
        .where(Work.right_id == right_id)
        .group_by(Work.year)
    )
    return dict(rows.all())
