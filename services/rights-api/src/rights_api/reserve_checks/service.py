"""The bureau's annual reserve verification 年度资源储量动态核查 (第五章第二节). For a year Y every
mining right working when the obligation is made, and licensed during Y, is owed a verification
by the bureau, due on ``reserve_check_due`` of Y+1. The obligations and their overdue sweep run
on the machinery of the annual filings (``rights_api.obligations``: due date, who owes, the
insert-once and the skip-locked sweep); only the audience differs: the bureau owes it, not the
holder. Functions never commit: the caller owns the transaction."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from contracts import EventPayload
from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.mining import RightKind
from contracts.rights import ReserveCheckOverdue, ReserveCheckRecorded, ReserveCheckRequired
from servicekit import clock
from servicekit.auth import Principal, Role
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.pagination import Page, PageParams
from sqlalchemy import and_, exists
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api import obligations
from rights_api.filings.models import Filing, FilingKind
from rights_api.reserve_checks.models import CheckResult, CheckStatus, ReserveCheck
from rights_api.reserve_checks.schemas import (
    ReserveCheckFilters,
    ReserveCheckPublic,
    ReserveCheckRecord,
)
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings
from rights_api.utilisation import service as utilisation
from rights_api.utilisation.models import UtilisationReport

KIND = "reserve_check"
TITLE_ZH = "{year}年度资源储量动态核查（{mine}）"


def deadline(check: ReserveCheck, right: Right, action: DeadlineAction) -> Deadline:
    """The bureau's deadline: its reviewers are the audience (the holder is told by the event's
    ``holder_id``, but has nothing to do)."""
    return Deadline(
        id=f"rights.reserve_check.{check.id}",
        kind=KIND,
        action=action,
        due_at=check.due_on,
        subject=str(right.id),
        audience=Audience(role=Role.bureau_reviewer.value),
        title_zh=TITLE_ZH.format(year=check.year, mine=right.mine_name),
    )


async def _announce(
    session: AsyncSession,
    event: type[EventPayload],
    check: ReserveCheck,
    right: Right,
    action: DeadlineAction,
    **fields: Any,
) -> None:
    await rights.publish_about(
        session,
        event,
        right,
        check_id=check.id,
        year=check.year,
        deadline=deadline(check, right, action),
        **fields,
    )


async def due_date(*, session: AsyncSession, year: int) -> date:
    settings: RightsSettings = session.info["settings"]
    return await obligations.due_on(
        session=session, year=year + 1, month_day=settings.reserve_check_due
    )


async def create_due_obligations(session: AsyncSession, now: datetime) -> int:
    """The scheduled job ``reserve_check_obligations``: for last year (the local year before
    ``now``'s), every mining right working today and licensed during that year is owed the
    bureau's verification; published once as ``rights.reserve_check.required``."""
    today = clock.local_today(now)
    year = today.year - 1
    due = await due_date(session=session, year=year)
    owed_rights = (
        await session.exec(
            select(Right)
            .where(
                obligations.working_mining_rights(today),
                Right.valid_from <= date(year, 12, 31),
                ~exists().where(and_(ReserveCheck.right_id == Right.id, ReserveCheck.year == year)),
            )
            .order_by(Right.created_at, Right.id)
        )
    ).all()
    created = 0
    for right in owed_rights:
        check = await obligations.insert_once(
            session,
            ReserveCheck,
            constraint="reserve_checks_right_year",
            right_id=right.id,
            year=year,
            due_on=due,
            status=CheckStatus.owed,
            created_at=now,
        )
        if check is None:
            continue
        created += 1
        await _announce(session, ReserveCheckRequired, check, right, DeadlineAction.set)
    return created


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """The scheduled job ``reserve_checks_overdue``: a verification still owed after its local
    due date becomes overdue and ``rights.reserve_check.overdue`` is published (once)."""
    return await obligations.mark_overdue(
        session,
        ReserveCheck,
        now,
        owed=CheckStatus.owed,
        overdue=CheckStatus.overdue,
        announce=lambda check, right: _announce(
            session, ReserveCheckOverdue, check, right, DeadlineAction.overdue
        ),
    )


async def _mining_plan(
    session: AsyncSession, right: Right, year: int, given: UUID | None
) -> Filing | None:
    """The right's annual mining plan for ``year`` (filed in December of the year before)."""
    query = select(Filing).where(
        Filing.right_id == right.id,
        Filing.kind == FilingKind.annual_mining_plan,
        Filing.year == year,
    )
    if given is not None:
        query = query.where(Filing.id == given)
    found = (await session.exec(query)).first()
    if given is not None and found is None:
        raise validation_error(
            [
                FieldError(
                    field="body.mining_plan_filing_id",
                    message=f"is not this right's annual mining plan for {year}",
                )
            ]
        )
    return found


async def _report(
    session: AsyncSession, right: Right, year: int, given: UUID | None
) -> UtilisationReport | None:
    found = await utilisation.of_right(session=session, right_id=right.id, year=year)
    if given is not None and (found is None or found.id != given):
        raise validation_error(
            [
                FieldError(
                    field="body.utilisation_report_id",
                    message=f"is not this right's three-rates report for {year}",
                )
            ]
        )
    return found


def _check(data: ReserveCheckRecord, right: Right) -> None:
    errors = []
    today = clock.local_today()
    if right.kind != RightKind.mining:
        errors.append(FieldError(field="body.right_id", message="is not a mining right"))
    if data.year >= today.year + 1:
        errors.append(FieldError(field="body.year", message="has not begun"))
    if data.checked_on > today:
        errors.append(FieldError(field="body.checked_on", message="is in the future"))
    if data.result == CheckResult.failed and not (data.remarks or "").strip():
        errors.append(FieldError(field="body.remarks", message="say why the verification failed"))
    if errors:
        raise validation_error(errors)


async def record(
    *, session: AsyncSession, data: ReserveCheckRecord, caller: Principal
) -> ReserveCheckPublic:
    """The bureau records its verification of a right's year: the obligation (owed or overdue,
    then ``late``) is met, or, when the job has not made one, the record is created met.
    A second record for the same right and year is 409. ``rights.reserve_check.recorded``."""
    right = await rights.get_right(session=session, right_id=data.right_id, for_update=True)
    _check(data, right)
    check = (
        await session.exec(
            select(ReserveCheck)
            .where(ReserveCheck.right_id == right.id, ReserveCheck.year == data.year)
            .with_for_update()
        )
    ).first()
    if check is not None and check.status == CheckStatus.recorded:
        raise Conflict(
            f"The {data.year} verification of {right.mine_name} was recorded already "
            f"(/reserve-checks/{check.id}).",
            check_id=str(check.id),
        )
    plan = await _mining_plan(session, right, data.year, data.mining_plan_filing_id)
    report = await _report(session, right, data.year, data.utilisation_report_id)
    now = clock.now()
    if check is None:
        check = ReserveCheck(
            right_id=right.id,
            year=data.year,
            due_on=await due_date(session=session, year=data.year),
            status=CheckStatus.owed,
            created_at=now,
        )
    else:
        check.version += 1
    check.late = check.status == CheckStatus.overdue or clock.local_today(now) > check.due_on
    fields = data.model_dump(exclude={"right_id", "year", "mining_plan_filing_id"})
    for name, value in fields.items():
        setattr(check, name, value)
    check.mining_plan_filing_id = plan.id if plan else None
    check.utilisation_report_id = report.id if report else None
    check.status = CheckStatus.recorded
    check.recorded_by, check.recorded_at = caller.subject, now
    session.add(check)
    await session.flush()
    await _announce(
        session,
        ReserveCheckRecorded,
        check,
        right,
        DeadlineAction.met,
        result=check.result,
        remarks=check.remarks,
        late=check.late,
    )
    [shown] = await public(session=session, checks=[check])
    return shown


async def public(*, session: AsyncSession, checks: list[ReserveCheck]) -> list[ReserveCheckPublic]:
    plan_ids = [c.mining_plan_filing_id for c in checks if c.mining_plan_filing_id]
    statuses = (
        dict(
            (
                await session.exec(select(Filing.id, Filing.status).where(Filing.id.in_(plan_ids)))
            ).all()
        )
        if plan_ids
        else {}
    )
    report_ids = [c.utilisation_report_id for c in checks if c.utilisation_report_id]
    reports = (
        (
            await session.exec(
                select(UtilisationReport).where(UtilisationReport.id.in_(report_ids))
            )
        ).all()
        if report_ids
        else []
    )
    shown = {r.id: r for r in await utilisation.public(session=session, reports=list(reports))}
    return [
        ReserveCheckPublic.model_validate(
            {
                **{name: getattr(c, name) for name in ReserveCheck.model_fields},
                "mining_plan_status": statuses.get(c.mining_plan_filing_id),
                "utilisation_report": shown.get(c.utilisation_report_id),
                "plan_execution_pct": _execution(c),
            }
        )
        for c in checks
    ]


def _execution(check: ReserveCheck) -> Decimal | None:
    if not check.planned_volume or check.mined_volume is None:
        return None
    ratio = check.mined_volume / check.planned_volume * 100
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def show(*, session: AsyncSession, check_id: UUID, caller: Principal) -> ReserveCheckPublic:
    """404 too for another holder's verification."""
    check, _ = await rights.on_visible_right(
        session, ReserveCheck, check_id, caller=caller, what="reserve verification"
    )
    [shown] = await public(session=session, checks=[check])
    return shown


async def list_checks(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: ReserveCheckFilters
) -> Page[ReserveCheckPublic]:
    rows = await rights.visible_page(
        session=session, model=ReserveCheck, filters=filters, caller=caller, page=page
    )
    return rows.with_items(await public(session=session, checks=rows.items))
