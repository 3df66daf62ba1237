"""Legacy sites restored with public money (第六章第二节四) and the edition's indicators
against its targets (专栏二)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from sqlalchemy import delete, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger.models import Fund, FundKind, Transfer
from restoration_api.ledger.money import yuan
from restoration_api.legacy.models import LegacySite, PlanTarget
from restoration_api.legacy.schemas import (
    Indicator,
    Indicators,
    LegacySiteCreate,
    LegacySitePublic,
    TargetsSet,
)
from restoration_api.works.models import Acceptance, Work
from restoration_api.works.service import rate, restored_totals

HA_PER_KM2 = Decimal(100)


async def create_site(
    *, session: AsyncSession, data: LegacySiteCreate, now: datetime
) -> LegacySite:
    if await session.scalar(select(LegacySite.id).where(LegacySite.code == data.code)):
        raise Conflict(f"A legacy site with code {data.code} exists.")
    if data.fund_id is not None:
        fund = await session.get(Fund, data.fund_id)
        if fund is None or fund.kind != FundKind.program:
            raise validation_error(
                [FieldError(field="body.fund_id", message="must name a program fund")]
            )
    site = LegacySite(**data.model_dump(), created_at=now)
    session.add(site)
    await session.flush()
    return site


async def site_public(session: AsyncSession, site: LegacySite) -> LegacySitePublic:
    works = await session.scalar(select(func.count()).where(Work.legacy_site_id == site.id))
    reversed_ = select(Transfer.reverses_id).where(Transfer.reverses_id.is_not(None))
    spent = await session.scalar(
        select(func.coalesce(func.sum(Transfer.amount_fen), 0))
        .join(Work, Work.id == Transfer.work_id)
        .where(Work.legacy_site_id == site.id, Transfer.id.not_in(reversed_))
    )
    accepted = await session.scalar(
        select(func.coalesce(func.sum(Acceptance.accepted_area_ha), 0)).where(
            Acceptance.legacy_site_id == site.id, Acceptance.passed
        )
    )
    return LegacySitePublic(
        **site.model_dump(), works=works, spent=yuan(int(spent)), accepted_area_ha=accepted
    )


async def get_site(*, session: AsyncSession, site_id: UUID) -> LegacySite:
    site = await session.get(LegacySite, site_id)
    if site is None:
        raise NotFound(f"No legacy site {site_id}.")
    return site


async def list_sites(*, session: AsyncSession, edition: str | None) -> list[LegacySite]:
    query = select(LegacySite).order_by(LegacySite.code)
    if edition is not None:
        query = query.where(LegacySite.edition == edition)
    return list((await session.exec(query)).all())


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
    in_period = Acceptance.inspected_on.between(date(start, 1, 1), date(end, 12, 31))

    async def accepted(on_legacy: bool) -> Decimal:
        target = Acceptance.legacy_site_id if on_legacy else Acceptance.right_id
        total = await session.scalar(
            select(func.coalesce(func.sum(Acceptance.accepted_area_ha), 0)).where(
                in_period, Acceptance.passed, target.is_not(None)
            )
        )
        return Decimal(total)

    occupied, restored = await restored_totals(session, start, end)
    actual = {
        "legacy_restored_km2": (await accepted(True)) / HA_PER_KM2,
        "land_reclaimed_ha": await accepted(False),
        "restoration_rate_pct": rate(restored, occupied),
    }
    items = []
    for t in sorted(targets, key=lambda t: t.indicator):
        value = actual.get(t.indicator)
        items.append(
            Indicator(
                indicator=t.indicator,
                name_zh=t.name_zh,
                unit=t.unit,
                target=t.value,
                actual=value,
                met=value is not None and value >= t.value,
                binding=t.binding,
                clause=t.clause,
            )
        )
    return Indicators(edition=edition, period_from=start, period_to=end, indicators=items)
