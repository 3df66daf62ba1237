"""Acceptance inspections 验收: of a work, a mine or a legacy site; a closure acceptance decides
the mine's closure case and may close its fund."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.restoration import AcceptanceFailed, AcceptancePassed, LegacySiteAccepted
from mining_rights import MiningRight
from servicekit.auth import Principal
from servicekit.events.outbox import publish
from servicekit.pagination import Page
from sqlalchemy import extract, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.acceptances.models import Acceptance
from restoration_api.acceptances.schemas import AcceptanceCreate, AcceptancePublic
from restoration_api.closures import service as closures
from restoration_api.ledger import service as ledger
from restoration_api.legacy_sites.models import LegacySite
from restoration_api.legacy_sites.schemas import MineOrSiteFilters
from restoration_api.legacy_sites.service import bad, check_target
from restoration_api.rights import MineRows, announce
from restoration_api.works import service as works


async def record_acceptance(
    *, session: AsyncSession, data: AcceptanceCreate, caller: Principal, now: datetime
) -> AcceptancePublic:
    await check_target(session=session, target=data, caller=caller)
    if data.work_id is not None:
        work = await works.find(session=session, work_id=data.work_id)
        if work is None or (work.right_id, work.legacy_site_id) != (
            data.right_id,
            data.legacy_site_id,
        ):
            raise bad("work_id", f"no work {data.work_id} on this mine or site")
    closure_case = None
    if data.closure:
        closure_case = await closures.open_case_to_decide(session=session, right_id=data.right_id)
        if closure_case is None:
            raise bad(
                "closure",
                "the mine has no open closure case (no closure application, no ending of the "
                "right by the bureau)",
            )
    acceptance = Acceptance(
        **data.model_dump(exclude={"closure", "accepted_area_ha"}),
        closure_case_id=closure_case.id if closure_case else None,
        accepted_area_ha=data.accepted_area_ha if data.passed else Decimal(0),
        inspected_by=caller.subject,
        created_at=now,
    )
    session.add(acceptance)
    await session.flush()
    answer = AcceptancePublic.model_validate(acceptance, from_attributes=True)
    if data.right_id is None:  # a legacy site: counted in the indicators, no mine to tell
        if data.passed and data.legacy_site_id is not None:
            await _legacy_site_accepted(session, acceptance)
        return answer
    mine = await session.get(MiningRight, data.right_id)
    common = {
        "acceptance_id": acceptance.id,
        "closure": closure_case is not None,
        "case_id": closure_case.id if closure_case else None,
        "application_id": closure_case.application_id if closure_case else None,
        "cause": closure_case.cause if closure_case else None,
    }
    if data.passed:
        if closure_case is not None:
            await closures.decide(
                session=session, case_=closure_case, acceptance_id=acceptance.id, now=now
            )
        passed = {"accepted_area_ha": acceptance.accepted_area_ha, "accepted_on": data.inspected_on}
        await announce(session, mine, AcceptancePassed, **common, **passed)
        await ledger.close_fund_if_done(session=session, right_id=mine.right_id, now=now)
    else:
        failed = {"reasons": data.reasons, "inspected_on": data.inspected_on}
        await announce(session, mine, AcceptanceFailed, **common, **failed)
    return answer


async def _legacy_site_accepted(session: AsyncSession, acceptance: Acceptance) -> None:
    """rights-api's named deadlines count the legacy area restored (专栏二: 0.52 km²)."""
    site = await session.get(LegacySite, acceptance.legacy_site_id)
    assert site is not None
    payload = LegacySiteAccepted(
        acceptance_id=acceptance.id,
        legacy_site_id=site.id,
        site_name=site.name,
        accepted_area_ha=acceptance.accepted_area_ha,
        accepted_on=acceptance.inspected_on,
    )
    await publish(session, payload, subject=None, key=str(site.id))


async def list_acceptances(rows: MineRows, filters: MineOrSiteFilters) -> Page[AcceptancePublic]:
    order = (Acceptance.inspected_on, Acceptance.id)
    return (await rows.on_mines(Acceptance, filters, *order)).shaped(AcceptancePublic)


async def accepted_area(session: AsyncSession, *, site_id: UUID) -> Decimal:
    """Hectares passed on one legacy site."""
    query = select(func.coalesce(func.sum(Acceptance.accepted_area_ha), 0)).where(
        Acceptance.passed, Acceptance.legacy_site_id == site_id
    )
    return Decimal(await session.scalar(query))


async def passed_between(
    session: AsyncSession, *, on_legacy: bool, between: tuple[date, date]
) -> list[tuple[Acceptance, str, str | None]]:
    """Passed acceptances on legacy sites (``on_legacy``) or on mines, inspected ``between`` two
    days (both included), oldest first, each with its site's or mine's name and code: the
    records behind the restored areas of the plan's indicators."""
    if on_legacy:
        query = select(Acceptance, LegacySite.name, LegacySite.code).join(
            LegacySite, LegacySite.id == Acceptance.legacy_site_id
        )
    else:
        query = select(Acceptance, MiningRight.mine_name, MiningRight.licence_no).join(
            MiningRight, MiningRight.right_id == Acceptance.right_id
        )
    query = query.where(Acceptance.passed, Acceptance.inspected_on.between(*between))
    rows = await session.exec(query.order_by(Acceptance.inspected_on, Acceptance.id))
    return [tuple(row) for row in rows.all()]


async def area_by_year(session: AsyncSession, right_id: UUID) -> dict[int, Decimal]:
    """The mine's accepted area per year of inspection (for the disclosure)."""
    year = extract("year", Acceptance.inspected_on)
    rows = await session.exec(
        select(year, func.sum(Acceptance.accepted_area_ha))
        .where(Acceptance.right_id == right_id, Acceptance.passed)
        .group_by(year)
    )
    return {int(y): a for y, a in rows.all()}
