"""Restoration works, acceptance inspections, closure cases and the land balance."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.restoration import AcceptanceFailed, AcceptancePassed
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from servicekit.events.outbox import publish
from servicekit.pagination import Page, PageParams, cursor_position, paginate
from sqlalchemy import func, tuple_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import Transfer
from restoration_api.ledger.money import to_fen, yuan
from restoration_api.legacy.models import LegacySite
from restoration_api.mines import service as mines
from restoration_api.mines.models import Mine
from restoration_api.plans.service import current_plan
from restoration_api.works.models import Acceptance, ClosureCase, LandBalance, Work
from restoration_api.works.schemas import (
    AcceptanceCreate,
    ClosureCasePublic,
    LandBalancePublic,
    LandBalanceSet,
    LandBalanceYear,
    WorkCreate,
    WorkPublic,
)

CLOSED = ("closed", "closed_by_policy")


def _bad(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=f"body.{field}", message=message)])


async def _target(session: AsyncSession, data, caller: Principal) -> None:
    if data.right_id is not None:
        await mines.get(session=session, right_id=data.right_id, caller=caller)
    elif await session.get(LegacySite, data.legacy_site_id) is None:
        raise _bad("legacy_site_id", f"no legacy site {data.legacy_site_id}")
    elif caller.own_holder is not None:
        raise NotFound("Legacy sites are the bureau's.")


# ---- works ---------------------------------------------------------------------------------


async def create_work(*, session: AsyncSession, data: WorkCreate, caller: Principal) -> Work:
    await _target(session, data, caller)
    work = Work(
        right_id=data.right_id,
        legacy_site_id=data.legacy_site_id,
        name=data.name,
        area_ha=data.area_ha,
        estimated_cost_fen=to_fen(data.estimated_cost),
        year=data.year,
        created_at=datetime.now(UTC),
    )
    session.add(work)
    await session.flush()
    return work


async def work_spent_fen(session: AsyncSession, work_id: UUID) -> int:
    """Expenditures against the work minus those reversed."""
    reversal = select(Transfer.reverses_id).where(Transfer.reverses_id.is_not(None))
    spent = await session.scalar(
        select(func.coalesce(func.sum(Transfer.amount_fen), 0)).where(
            Transfer.work_id == work_id, Transfer.id.not_in(reversal)
        )
    )
    return int(spent)


async def work_public(session: AsyncSession, work: Work) -> WorkPublic:
    return WorkPublic(
        **work.model_dump(exclude={"estimated_cost_fen"}),
        estimated_cost=yuan(work.estimated_cost_fen),
        spent=yuan(await work_spent_fen(session, work.id)),
    )


async def get_work(*, session: AsyncSession, work_id: UUID, caller: Principal) -> Work:
    work = await session.get(Work, work_id)
    if work is None:
        raise NotFound(f"No work {work_id}.")
    if caller.own_holder is not None:
        mine = await session.get(Mine, work.right_id) if work.right_id else None
        if mine is None or str(mine.holder_id) != caller.own_holder:
            raise NotFound(f"No work {work_id}.")
    return work


async def list_works(
    *,
    session: AsyncSession,
    caller: Principal,
    page: PageParams,
    right_id: UUID | None,
    legacy_site_id: UUID | None,
) -> Page[Work]:
    query = select(Work)
    if caller.own_holder is not None:
        query = query.join(Mine).where(Mine.holder_id == UUID(caller.own_holder))
    if right_id is not None:
        query = query.where(Work.right_id == right_id)
    if legacy_site_id is not None:
        query = query.where(Work.legacy_site_id == legacy_site_id)
    return await paginate(session, query, page, order=(Work.created_at, Work.id))


# ---- closure cases -------------------------------------------------------------------------


async def open_closure_case(
    *,
    session: AsyncSession,
    right_id: UUID,
    application_id: UUID,
    holder_id: UUID,
    now: datetime,
) -> ClosureCase:
    existing = await session.scalar(
        select(ClosureCase).where(ClosureCase.application_id == application_id)
    )
    if existing is not None:
        return existing
    case_ = ClosureCase(
        right_id=right_id,
        application_id=application_id,
        holder_id=holder_id,
        status="open",
        opened_at=now,
    )
    session.add(case_)
    await session.flush()
    return case_


async def cancel_closure_case(
    *, session: AsyncSession, application_id: UUID, now: datetime
) -> None:
    case_ = await session.scalar(
        select(ClosureCase).where(ClosureCase.application_id == application_id)
    )
    if case_ is not None and case_.status == "open":
        case_.status, case_.decided_at = "cancelled", now
        session.add(case_)


async def closure_case_public(session: AsyncSession, case_: ClosureCase) -> ClosureCasePublic:
    plan = await current_plan(session, case_.right_id, "closure")
    return ClosureCasePublic(
        **case_.model_dump(), closure_plan_id=plan.id if plan is not None else None
    )


async def list_closure_cases(
    *, session: AsyncSession, caller: Principal, right_id: UUID | None, status: str | None
) -> list[ClosureCase]:
    query = select(ClosureCase).order_by(ClosureCase.opened_at, ClosureCase.id)
    if caller.own_holder is not None:
        query = query.join(Mine).where(Mine.holder_id == UUID(caller.own_holder))
    if right_id is not None:
        query = query.where(ClosureCase.right_id == right_id)
    if status is not None:
        query = query.where(ClosureCase.status == status)
    return list((await session.exec(query)).all())


async def close_fund_if_done(*, session: AsyncSession, right_id: UUID, now: datetime) -> None:
    """The fund closes once the mine is closed and its closure restoration was accepted."""
    mine = await session.get(Mine, right_id)
    if mine is None or mine.status not in CLOSED:
        return
    passed = await session.scalar(
        select(ClosureCase.id).where(
            ClosureCase.right_id == right_id, ClosureCase.status == "passed"
        )
    )
    fund = await ledger.fund_for_right(session=session, right_id=right_id)
    if passed is not None and fund is not None:
        await ledger.close_mine_fund(session=session, fund=fund, now=now)


# ---- acceptance ----------------------------------------------------------------------------


async def record_acceptance(
    *, session: AsyncSession, data: AcceptanceCreate, caller: Principal, now: datetime
) -> Acceptance:
    await _target(session, data, caller)
    if data.work_id is not None:
        work = await session.get(Work, data.work_id)
        if work is None or (work.right_id, work.legacy_site_id) != (
            data.right_id,
            data.legacy_site_id,
        ):
            raise _bad("work_id", f"no work {data.work_id} on this mine or site")
    closure_case = None
    if data.closure:
        closure_case = await session.scalar(
            select(ClosureCase)
            .where(ClosureCase.right_id == data.right_id, ClosureCase.status == "open")
            .with_for_update()
        )
        if closure_case is None:
            raise _bad("closure", "the mine has no open closure case (no closure application)")
        if await current_plan(session, data.right_id, "closure") is None:
            raise Conflict(
                "The closure case needs the closure restoration plan 闭坑矿山环境恢复治理方案 "
                "before its acceptance (第六章第二节三); file it with POST /plans kind closure.",
                case_id=str(closure_case.id),
            )
    acceptance = Acceptance(
        right_id=data.right_id,
        legacy_site_id=data.legacy_site_id,
        work_id=data.work_id,
        closure_case_id=closure_case.id if closure_case else None,
        passed=data.passed,
        accepted_area_ha=data.accepted_area_ha if data.passed else Decimal(0),
        reasons=data.reasons,
        inspected_on=data.inspected_on,
        inspected_by=caller.subject,
        created_at=now,
    )
    session.add(acceptance)
    await session.flush()
    if data.right_id is None:
        return acceptance  # legacy sites: counted in the indicators, no mine to tell
    mine = await session.get(Mine, data.right_id)
    common = {
        "acceptance_id": acceptance.id,
        "right_id": mine.right_id,
        "holder_id": mine.holder_id,
        "closure": closure_case is not None,
        "case_id": closure_case.id if closure_case else None,
        "application_id": closure_case.application_id if closure_case else None,
    }
    if data.passed:
        if closure_case is not None:
            closure_case.status, closure_case.decided_at = "passed", now
            closure_case.acceptance_id = acceptance.id
            session.add(closure_case)
            await session.flush()
        await publish(
            session,
            AcceptancePassed(
                **common,
                accepted_area_ha=acceptance.accepted_area_ha,
                accepted_on=data.inspected_on,
            ),
            subject=str(mine.right_id),
        )
        await close_fund_if_done(session=session, right_id=mine.right_id, now=now)
    else:
        await publish(
            session,
            AcceptanceFailed(**common, reasons=data.reasons, inspected_on=data.inspected_on),
            subject=str(mine.right_id),
        )
    return acceptance


async def list_acceptances(
    *,
    session: AsyncSession,
    caller: Principal,
    page: PageParams,
    right_id: UUID | None,
    legacy_site_id: UUID | None,
) -> list[Acceptance]:
    query = (
        select(Acceptance).order_by(Acceptance.inspected_on, Acceptance.id).limit(page.limit + 1)
    )
    if (position := cursor_position(page, date.fromisoformat, UUID)) is not None:
        query = query.where(tuple_(Acceptance.inspected_on, Acceptance.id) > tuple_(*position))
    if caller.own_holder is not None:
        query = query.join(Mine).where(Mine.holder_id == UUID(caller.own_holder))
    if right_id is not None:
        query = query.where(Acceptance.right_id == right_id)
    if legacy_site_id is not None:
        query = query.where(Acceptance.legacy_site_id == legacy_site_id)
    return list((await session.exec(query)).all())


# ---- land balance --------------------------------------------------------------------------


async def set_land_balance(
    *,
    session: AsyncSession,
    right_id: UUID,
    year: int,
    data: LandBalanceSet,
    caller: Principal,
) -> LandBalance:
    await mines.get(session=session, right_id=right_id, caller=caller)
    row = await session.get(LandBalance, (right_id, year)) or LandBalance(
        right_id=right_id, year=year
    )
    row.occupied_ha, row.restored_ha = data.occupied_ha, data.restored_ha
    row.updated_at = datetime.now(UTC)
    session.add(row)
    await session.flush()
    return row


def rate(restored: Decimal, occupied: Decimal) -> Decimal | None:
    if occupied == 0:
        return None
    return (Decimal(restored) * 100 / Decimal(occupied)).quantize(Decimal("0.01"))


async def land_balance_year(
    *, session: AsyncSession, year: int, caller: Principal
) -> LandBalanceYear:
    query = (
        select(LandBalance, Mine.mine_name)
        .join(Mine)
        .where(LandBalance.year == year)
        .order_by(Mine.mine_name)
    )
    if caller.own_holder is not None:
        query = query.where(Mine.holder_id == UUID(caller.own_holder))
    rows = (await session.exec(query)).all()
    items = [
        LandBalancePublic(
            right_id=lb.right_id,
            mine_name=name,
            year=lb.year,
            occupied_ha=lb.occupied_ha,
            restored_ha=lb.restored_ha,
            balanced=lb.restored_ha >= lb.occupied_ha,
            restoration_rate=rate(lb.restored_ha, lb.occupied_ha),
        )
        for lb, name in rows
    ]
    occupied = sum((i.occupied_ha for i in items), Decimal(0))
    restored = sum((i.restored_ha for i in items), Decimal(0))
    return LandBalanceYear(
        year=year,
        mines=items,
        occupied_ha=occupied,
        restored_ha=restored,
        restoration_rate=rate(restored, occupied),
    )


async def restored_totals(session: AsyncSession, year_from: int, year_to: int):
    """Occupied and restored hectares of all mines over a period (for the indicators)."""
    row = (
        await session.exec(
            select(
                func.coalesce(func.sum(LandBalance.occupied_ha), 0),
                func.coalesce(func.sum(LandBalance.restored_ha), 0),
            ).where(LandBalance.year.between(year_from, year_to))
        )
    ).one()
    return Decimal(row[0]), Decimal(row[1])
