"""Registering and reading legacy sites, and checking the target a work or acceptance names."""

from datetime import datetime
from uuid import UUID

from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.boundaries import place
from restoration_api.ledger.models import Fund, FundKind
from restoration_api.legacy_sites.models import LegacySite
from restoration_api.legacy_sites.schemas import (
    BoundarySet,
    LegacySiteCreate,
    LegacySiteFilters,
    MineOrSite,
)
from restoration_api.rights import acted_on, matching


def bad(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=f"body.{field}", message=message)])


async def create_site(
    *, session: AsyncSession, data: LegacySiteCreate, now: datetime
) -> LegacySite:
    if await session.scalar(select(LegacySite.id).where(LegacySite.code == data.code)):
        raise Conflict(f"A legacy site with code {data.code} exists.")
    if data.fund_id is not None:
        fund = await session.get(Fund, data.fund_id)
        if fund is None or fund.kind != FundKind.program:
            raise bad("fund_id", "must name a program fund")
    site = LegacySite(
        **data.model_dump(exclude={"boundary", "boundary_illustrative"}), created_at=now
    )
    place(site, data.boundary, illustrative=data.boundary_illustrative)
    session.add(site)
    await session.flush()
    return site


async def get_site(*, session: AsyncSession, site_id: UUID) -> LegacySite:
    return await get_or_404(session, LegacySite, site_id, what="legacy site")


async def set_boundary(*, session: AsyncSession, site_id: UUID, data: BoundarySet) -> LegacySite:
    site = await get_site(session=session, site_id=site_id)
    place(site, data.boundary, illustrative=data.illustrative)
    session.add(site)
    await session.flush()
    return site


async def list_sites(
    *, session: AsyncSession, page: PageParams, filters: LegacySiteFilters
) -> Page[LegacySite]:
    query = matching(LegacySite, filters)
    return await paginate(session, query, page, order=(LegacySite.code, LegacySite.id))


async def check_target(*, session: AsyncSession, target: MineOrSite, caller: Principal) -> None:
    """A mine the caller acts for, or a legacy site (the bureau's alone)."""
    if target.right_id is not None:
        await acted_on(session=session, right_id=target.right_id, caller=caller)
    elif await session.get(LegacySite, target.legacy_site_id) is None:
        raise bad("legacy_site_id", f"no legacy site {target.legacy_site_id}")
    elif caller.own_holder is not None:
        raise NotFound("Legacy sites are the bureau's.")
