"""Legacy sites restored with public money (第六章第二节四) with their works, spending and
accepted area, and the edition's indicators against its targets (专栏二)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.figures import Direction, EvaluationFigures, Figure, FigureRecord
from servicekit.errors import NotFound
from servicekit.pagination import Page, PageParams
from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.acceptances import service as acceptances
from restoration_api.acceptances.models import Acceptance
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


async def _targets(session: AsyncSession, edition: str) -> list[PlanTarget]:
    targets = (await session.exec(select(PlanTarget).where(PlanTarget.edition == edition))).all()
    if not targets:
        raise NotFound(f"No targets loaded for plan edition {edition}.")
    return sorted(targets, key=lambda t: t.indicator)


async def figures(*, session: AsyncSession, edition: str, as_of: date) -> EvaluationFigures:
    """The edition's restoration indicators as of the end of ``as_of`` (第七章二): only records
    of the period up to that day count, so a site accepted before the period starts does not
    count toward the period's target, and one accepted after ``as_of`` not yet."""
    targets = await _targets(session, edition)
    start = date(targets[0].period_from, 1, 1)
    end = date(targets[0].period_to, 12, 31)
    upto = min(as_of, end)
    legacy = await acceptances.passed_between(session, on_legacy=True, between=(start, upto))
    mines = await acceptances.passed_between(session, on_legacy=False, between=(start, upto))
    lands = await land.balances(session, start.year, upto.year)
    occupied = sum((b.occupied_ha for b, _ in lands), Decimal(0))
    restored = sum((b.restored_ha for b, _ in lands), Decimal(0))
    found = {
        "legacy_restored_km2": (
            sum((a.accepted_area_ha for a, _, _ in legacy), Decimal(0)) / HA_PER_KM2,
            [_accepted(a, name, code, HA_PER_KM2) for a, name, code in legacy],
        ),
        "land_reclaimed_ha": (
            sum((a.accepted_area_ha for a, _, _ in mines), Decimal(0)),
            [_accepted(a, name, code, Decimal(1)) for a, name, code in mines],
        ),
        "restoration_rate_pct": (
            land.rate(restored, occupied),
            [
                FigureRecord(
                    kind="land",
                    id=f"{b.right_id}/{b.year}",
                    name=name,
                    code=str(b.year),
                    value=b.restored_ha,
                )
                for b, name in lands
            ],
        ),
    }
    return EvaluationFigures(
        service="restoration",
        edition=edition,
        as_of=as_of,
        period_start=start,
        period_end=end,
        figures=[
            Figure(
                code=t.indicator,
                name_zh=t.name_zh,
                target=t.value,
                actual=found[t.indicator][0],
                unit=t.unit,
                binding=t.binding,
                direction=Direction.at_least,
                clause=t.clause,
                records=found[t.indicator][1],
            )
            for t in targets
        ],
    )


def _accepted(a: Acceptance, name: str, code: str | None, per: Decimal) -> FigureRecord:
    return FigureRecord(
        kind="acceptance",
        id=str(a.id),
        name=name,
        code=code,
        on=a.inspected_on,
        value=a.accepted_area_ha / per,
    )


async def indicators(*, session: AsyncSession, edition: str, today: date) -> Indicators:
    """The edition's indicators as of today (the period's end once it is over)."""
    found = await figures(session=session, edition=edition, as_of=today)
    items = [
        Indicator(
            indicator=f.code,
            name_zh=f.name_zh,
            unit=f.unit,
            target=f.target,
            actual=f.actual,
            met=f.actual is not None and f.actual >= f.target,
            binding=f.binding,
            clause=f.clause,
        )
        for f in found.figures
    ]
    return Indicators(
        edition=edition,
        period_from=found.period_start.year,
        period_to=found.period_end.year,
        indicators=items,
    )
