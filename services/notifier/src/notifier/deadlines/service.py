"""Deadlines: learned from events, scheduled on the working-day calendar, swept when due.

Each open deadline carries its next step (the next reminder, or the overdue alert) and when it
is due; the sweep reads only deadlines whose step is due, through a partial index, claims them
with ``FOR UPDATE SKIP LOCKED`` and turns each step into alerts in the same transaction.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache

from contracts import Deadline as DeadlineEvent
from contracts import DeadlineAction, registry
from servicekit import clock
from servicekit.auth import Principal
from servicekit.lookup import owned_or_404
from servicekit.pagination import Page, PageParams, paginate
from servicekit.workdays import WorkCalendar
from servicekit.workdays import load as load_calendar
from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.deadlines.models import SHANGHAI, Deadline, DeadlineState, Due
from notifier.deadlines.schemas import DeadlineFilter
from notifier.right_holders import service as right_holders
from notifier.settings import NotifierSettings

OVERDUE = "overdue"
REPLAN_HORIZON = timedelta(days=60)
OWING = (DeadlineState.open, DeadlineState.overdue)  # what a closed or transferred right owes
# every event type whose payload carries a deadline: the notifier reads each of them
DEADLINE_EVENTS = [model for model in registry if "deadline" in model.model_fields]


def settings_of(session: AsyncSession) -> NotifierSettings:
    return session.info["settings"]


def reminder_day(calendar: WorkCalendar, due: date, lead: int) -> date:
    """A reminder falling on a non-working day goes out on the working day before it."""
    return calendar.previous_workday(due - timedelta(days=lead))


def reminder_at(calendar: WorkCalendar, due: date, lead: int, hour: int) -> datetime:
    return datetime.combine(reminder_day(calendar, due, lead), time(hour), SHANGHAI)


def overdue_at(due: date) -> datetime:
    """The moment a deadline passed: the start of the day after it, in Asia/Shanghai."""
    return datetime.combine(due + timedelta(days=1), time(0), SHANGHAI)


def _years(dues: Iterable[date], longest_lead: int) -> set[int]:
    years: set[int] = set()
    for due in dues:
        years.update(range(due.year - 1 - longest_lead // 365, due.year + 1))
    return years


async def calendar_for(
    session: AsyncSession, dues: Iterable[date], settings: NotifierSettings
) -> WorkCalendar:
    longest = max(
        [*settings.reminder_lead_days, 0]
        + [max(v, default=0) for v in settings.reminder_lead_days_by_kind.values()]
    )
    calendar = await load_calendar(session, _years(dues, longest))
    # a sweep asks about the same few days again and again (many deadlines share a date)
    calendar.previous_workday = cache(calendar.previous_workday)  # type: ignore[method-assign]
    return calendar


def remaining_leads(deadline: Deadline | Due, settings: NotifierSettings) -> list[int]:
    leads = settings.lead_days(deadline.kind)
    if deadline.reminded_lead is None:
        return leads
    return [lead for lead in leads if lead < deadline.reminded_lead]


def plan_next(deadline: Deadline | Due, settings: NotifierSettings, calendar: WorkCalendar) -> None:
    """Point an open deadline at its next reminder (or at nothing when none is left)."""
    leads = remaining_leads(deadline, settings)
    if deadline.state != DeadlineState.open or not leads:
        deadline.next_step, deadline.next_fire_at = None, None
        return
    deadline.next_step = f"reminder-{leads[0]}"
    deadline.next_fire_at = reminder_at(calendar, deadline.due_at, leads[0], settings.reminder_hour)


async def apply(*, session: AsyncSession, deadline: DeadlineEvent, event_type: str) -> Deadline:
    """Set, move, meet, cancel or mark overdue one deadline, as its owner announced."""
    settings = settings_of(session)
    holder_id = await right_holders.holder_now(
        session=session, subject=deadline.subject, named=deadline.audience.holder_id
    )
    row = await session.get(Deadline, deadline.id, with_for_update=True)
    if row is None:
        row = Deadline(id=deadline.id, state=DeadlineState.open)
        session.add(row)
    row.kind, row.subject, row.title_zh = deadline.kind, deadline.subject, deadline.title_zh
    row.holder_id = holder_id
    row.role = deadline.audience.role
    row.org_id = deadline.audience.org_id
    row.due_at = deadline.due_at  # a new date moves the reminders still ahead with it
    row.last_event_type = event_type
    row.updated_at = clock.now()
    match deadline.action:
        case DeadlineAction.set:
            row.state = DeadlineState.open
            plan_next(row, settings, await calendar_for(session, [row.due_at], settings))
        case DeadlineAction.met | DeadlineAction.cancelled:
            row.state = DeadlineState(deadline.action.value)
            row.next_step, row.next_fire_at = None, None
        case DeadlineAction.overdue:
            row.state = DeadlineState.overdue
            row.next_step, row.next_fire_at = OVERDUE, overdue_at(row.due_at)
    await session.flush()
    return row


def _owing(subject: str, holder_id: str | None):
    conditions = [col(Deadline.subject) == subject, col(Deadline.state).in_(OWING)]
    if holder_id is not None:
        conditions.append(col(Deadline.holder_id) == holder_id)
    return conditions


async def owing_ids(
    *, session: AsyncSession, subject: str, holder_id: str | None = None
) -> list[str]:
    """The open and overdue deadlines of ``subject`` (of ``holder_id`` only, when given)."""
    query = select(Deadline.id).where(*_owing(subject, holder_id))
    return list((await session.exec(query)).all())


async def _update_owing(
    session: AsyncSession, subject: str, of_holder: str | None = None, **values
) -> int:
    result = await session.exec(
        update(Deadline).where(*_owing(subject, of_holder)).values(**values, updated_at=func.now())
    )
    return result.rowcount


async def cancel_subject(*, session: AsyncSession, subject: str, event_type: str) -> int:
    """A closed mine owes nothing more: every open deadline of it is cancelled."""
    return await _update_owing(
        session,
        subject,
        state=DeadlineState.cancelled,
        next_step=None,
        next_fire_at=None,
        last_event_type=event_type,
    )


async def readdress(
    *, session: AsyncSession, subject: str, from_holder: str, to_holder: str, event_type: str
) -> int:
    """A right that changed hands: what it still owes is owed by the new holder, and reminded
    to the new holder's contacts from the next step on."""
    return await _update_owing(
        session, subject, from_holder, holder_id=to_holder, last_event_type=event_type
    )


CLAIM_COLUMNS = [getattr(Deadline, f) for f in Due.__slots__]  # type: ignore[attr-defined]
ADVANCE = text("""
UPDATE deadlines
SET reminded_lead = step.reminded_lead, next_step = step.next_step,
    next_fire_at = step.next_fire_at
FROM unnest(CAST(:ids AS varchar[]), CAST(:leads AS integer[]), CAST(:steps AS varchar[]),
            CAST(:fires AS timestamptz[])) AS step (id, reminded_lead, next_step, next_fire_at)
WHERE deadlines.id = step.id
""")


async def take_due_steps(*, session: AsyncSession, now: datetime) -> list[tuple[Due, str]]:
    """Claim a batch of deadlines with a step due by ``now``, move each past it, and return
    the steps taken (a deadline and ``reminder-<lead>`` or ``overdue``).

    Claims rows with SKIP LOCKED, so replicas sweeping at once never take the same deadline.
    Two statements whatever the batch's size: claim, advance.
    """
    settings = settings_of(session)
    connection = await session.connection()
    claimed = [
        Due(*row)
        for row in await connection.execute(
            select(*CLAIM_COLUMNS)
            .where(col(Deadline.next_fire_at) <= now)
            .order_by(col(Deadline.next_fire_at))
            .limit(settings.sweep_batch)
            .with_for_update(skip_locked=True)
        )
    ]
    if not claimed:
        return []
    calendar = await calendar_for(session, {d.due_at for d in claimed}, settings)
    steps: list[tuple[Due, str]] = []
    for due in claimed:
        step = _take_step(due, now, settings, calendar)
        if step is not None:
            steps.append((due, step))
    await connection.execute(
        ADVANCE,
        {
            "ids": [d.id for d in claimed],
            "leads": [d.reminded_lead for d in claimed],
            "steps": [d.next_step for d in claimed],
            "fires": [d.next_fire_at for d in claimed],
        },
    )
    return steps


async def replan(session: AsyncSession, now: datetime) -> int:
    """Plan again the reminders of the coming weeks with the calendar as it is now.

    A year's holiday schedule is published late (November or December) and loaded through
    ``PUT /admin/calendar/{year}``; reminders planned before that on the weekends-only
    fallback may now fall on a holiday. Returns how many moved."""
    settings = settings_of(session)
    rows = list(
        (
            await session.exec(
                select(Deadline)
                .where(
                    col(Deadline.next_fire_at) > now,
                    col(Deadline.next_fire_at) <= now + REPLAN_HORIZON,
                    col(Deadline.next_step).startswith("reminder-"),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not rows:
        return 0
    calendar = await calendar_for(session, [r.due_at for r in rows], settings)
    moved = 0
    for row in rows:
        before = row.next_fire_at
        plan_next(row, settings, calendar)
        moved += row.next_fire_at != before
    await session.flush()
    return moved


def _take_step(
    row: Due, now: datetime, settings: NotifierSettings, calendar: WorkCalendar
) -> str | None:
    if row.next_step == OVERDUE:
        row.next_step, row.next_fire_at = None, None
        return OVERDUE
    leads = remaining_leads(row, settings)
    due = [
        lead
        for lead in leads
        if reminder_at(calendar, row.due_at, lead, settings.reminder_hour) <= now
    ]
    if not due:  # the calendar changed since it was planned: plan again
        plan_next(row, settings, calendar)
        return None
    if now >= overdue_at(row.due_at):  # too late for any reminder; the owner reports overdue
        row.reminded_lead = min(leads)
        plan_next(row, settings, calendar)
        return None
    # several steps due at once (a deadline set late, a sweep that was down): only the
    # nearest one goes out; the earlier ones are skipped, never sent late in a burst
    lead = min(due)
    row.reminded_lead = lead
    plan_next(row, settings, calendar)
    return f"reminder-{lead}"


async def list_deadlines(
    *, session: AsyncSession, caller: Principal, page: PageParams, filters: DeadlineFilter
) -> Page[Deadline]:
    """By due date; an enterprise sees its holder's deadlines only, an evaluator its
    organisation's (asking for another's is a 403)."""
    holder_id, org_id = filters.holder_id, filters.org_id
    if caller.own_holder is not None:
        caller.ensure_holder(holder_id or caller.own_holder)
        holder_id = str(caller.own_holder)
    if caller.own_org is not None:
        caller.ensure_org(org_id or caller.own_org)
        org_id = caller.own_org
    query = select(Deadline)
    for column, value in (
        (Deadline.subject, filters.subject),
        (Deadline.kind, filters.kind),
        (Deadline.state, filters.state),
        (Deadline.holder_id, holder_id),
        (Deadline.role, filters.role),
        (Deadline.org_id, org_id),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if filters.due_from is not None:
        query = query.where(col(Deadline.due_at) >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(col(Deadline.due_at) <= filters.due_to)
    return await paginate(session, query, page, order=(Deadline.due_at, Deadline.id))


async def get(*, session: AsyncSession, deadline_id: str, caller: Principal) -> Deadline:
    """Another holder's or organisation's deadline is the 404 of one that does not exist."""
    await owned_or_404(session, Deadline, deadline_id, caller, what="deadline")
    return await owned_or_404(
        session, Deadline, deadline_id, caller, what="deadline", owner="org_id"
    )
