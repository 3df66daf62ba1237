"""Legacy sites restored with public money (第六章第二节四) with their works, spending and
accepted area, and the edition's indicators against its targets (专栏二)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from servicekit.errors import NotFound
from servicekit.pagination import Page, PageParams
from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.acceptances import service as acceptances
from restoration_api.land import service as land
from restoration_api.legacy.models import PlanTarget
from restoration_api.legacy.schemas import Indicator, Indicators, LegacySitePublic, TargetsSet
from restoration_api.legacy_sites import service as sites
from restoration_api.legacy_sites.models import LegacySite
from restoration_api.legacy_sites.schemas import BoundarySet, LegacySiteCreate, LegacySiteFilters
from restoration_api.money import yuan
from restoration_api.works import service as works

HA_PER_KM2 = Decimal(100)


async def site_public(session: AsyncSession, site: LegacySite) -> LegacySitePublic:
    count, spent = await works.on_site(session, site.id)
    accepted = await acceptances.accepted_area(session, site_id=site.id)
    return LegacySitePublic(
        **site.model_dump(), works=count, spent=yuan(spent), accepted_area_ha=accepted
    )


async def register_site(
    *, session: AsyncSession, data: LegacySiteCreate, now: datetime
) -> LegacySitePublic:
    return await site_public(session, await sites.create_site(session=session, data=data, now=now))


async def get_site(*, session: AsyncSession, site_id: UUID) -> LegacySitePublic:
    return await site_public(session, await sites.get_site(session=session, site_id=site_id))


async def set_boundary(
    *, session: AsyncSession, site_id: UUID, data: BoundarySet
) -> LegacySitePublic:
    site = await sites.set_boundary(session=session, site_id=site_id, data=data)
    return await site_public(session, site)


async def list_sites(
    *, session: AsyncSession, page: PageParams, filters: LegacySiteFilters
) -> Page[LegacySitePublic]:
    rows = await sites.list_sites(session=session, page=page, filters=filters)
    return rows.with_items([await site_public(session, s) for s in rows.items])


async def set_targets(*, session: AsyncSession, edition: str, data: TargetsSet) -> None:
    """Replaces the edition's targets: a new edition brings new numbers, no code change."""
    await session.exec(delete(PlanTarget).where(PlanTarget.edition == edition))
    for t in data.targets:
        session.add(
            PlanTarget(
                edition=edition,
                period_from=data.period_from,
                period_to=data.period_to,
                **t.model_dump(),
            )
        )
    await session.flush()


async def indicators(*, session: AsyncSession, edition: str) -> Indicators:
    targets = (await session.exec(select(PlanTarget).where(PlanTarget.edition == edition))).all()
    if not targets:
        raise NotFound(f"No targets loaded for plan edition {edition}.")
    start, end = targets[0].period_from, targets[0].period_to
    period = (date(start, 1, 1), date(end, 12, 31))
    legacy_ha = await acceptances.accepted_area(session, on_legacy=True, between=period)
    mines_ha = await acceptances.accepted_area(session, on_legacy=False, between=period)
    occupied, restored = await land.restored_totals(session, start, end)
    actual = {
        "legacy_restored_km2": legacy_ha / HA_PER_KM2,
        "land_reclaimed_ha": mines_ha,
        "restoration_rate_pct": land.rate(restored, occupied),
    }
    items = []
    for t in sorted(targets, key=lambda t: t.indicator):
        value = actual.get(t.indicator)
        met = value is not None and value >= t.value
        told = t.model_dump(include={"indicator", "name_zh", "unit", "binding", "clause"})
        items.append(Indicator(**told, target=t.value, actual=value, met=met))
    return Indicators(edition=edition, period_from=start, period_to=end, indicators=items)
