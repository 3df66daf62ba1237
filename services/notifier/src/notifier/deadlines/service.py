"""Deadlines: learned from events, scheduled on the working-day calendar, swept when due.

Each open deadline carries its next step (the next reminder, or the overdue alert) and when it
is due; the sweep reads only deadlines whose step is due, through a partial index, claims them
with ``FOR UPDATE SKIP LOCKED`` and turns each step into alerts in the same transaction.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from contracts import Deadline as DeadlineEvent
from contracts import DeadlineAction
from servicekit.pagination import PageParams, cursor_position
from servicekit.workdays import WorkCalendar
from servicekit.workdays import load as load_calendar
from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.alerts import service as alerts
from notifier.deadlines.models import SHANGHAI, Deadline, DeadlineState, Due, RightHolder
from notifier.settings import NotifierSettings

OVERDUE = "overdue"
REPLAN_HORIZON = timedelta(days=60)


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
    row = await session.get(Deadline, deadline.id, with_for_update=True)
    if row is None:
        row = Deadline(
            id=deadline.id,
            kind=deadline.kind,
            subject=deadline.subject,
            title_zh=deadline.title_zh,
            due_at=deadline.due_at,
            state=DeadlineState.open,
            last_event_type=event_type,
        )
        session.add(row)
    row.kind, row.subject, row.title_zh = deadline.kind, deadline.subject, deadline.title_zh
    row.holder_id = await holder_now(session, deadline.subject, deadline.audience.holder_id)
    row.role = deadline.audience.role
    row.org_id = deadline.audience.org_id
    row.due_at = deadline.due_at  # a new date moves the reminders still ahead with it
    row.last_event_type = event_type
    row.updated_at = datetime.now(UTC)
    match deadline.action:
        case DeadlineAction.set:
            row.state = DeadlineState.open
            plan_next(row, settings, await calendar_for(session, [row.due_at], settings))
        case DeadlineAction.met | DeadlineAction.cancelled:
            row.state = DeadlineState(deadline.action.value)
            row.next_step, row.next_fire_at = None, None
            await session.flush()
            await alerts.cancel_pending(session=session, deadline_ids=[row.id])
        case DeadlineAction.overdue:
            row.state = DeadlineState.overdue
            row.next_step, row.next_fire_at = OVERDUE, overdue_at(row.due_at)
    await session.flush()
    return row


async def cancel_subject(*, session: AsyncSession, subject: str, event_type: str) -> int:
    """A closed mine owes nothing more: every open deadline of it is cancelled."""
    ids = list(
        (
            await session.exec(
                update(Deadline)
                .where(
                    col(Deadline.subject) == subject,
                    col(Deadline.state).in_([DeadlineState.open, DeadlineState.overdue]),
                )
                .values(
                    state=DeadlineState.cancelled,
                    next_step=None,
                    next_fire_at=None,
                    last_event_type=event_type,
                    updated_at=func.now(),
                )
                .returning(Deadline.id)
            )
        ).scalars()
    )
    if ids:
        await alerts.cancel_pending(session=session, deadline_ids=ids)
    return len(ids)


async def readdress(
    *, session: AsyncSession, subject: str, from_holder: str, to_holder: str, event_type: str
) -> int:
    """A right that changed hands: what it still owes is owed by the new holder, and reminded
    to the new holder's contacts from the next step on; the former holder's alerts not yet out
    are cancelled (they would tell it about a mine no longer its own)."""
    ids = list(
        (
            await session.exec(
                update(Deadline)
                .where(
                    col(Deadline.subject) == subject,
                    col(Deadline.holder_id) == from_holder,
                    col(Deadline.state).in_([DeadlineState.open, DeadlineState.overdue]),
                )
                .values(holder_id=to_holder, last_event_type=event_type, updated_at=func.now())
                .returning(Deadline.id)
            )
        ).scalars()
    )
    if ids:
        await alerts.cancel_pending(session=session, deadline_ids=ids, holder_id=from_holder)
    await session.exec(
        insert(RightHolder)
        .values(subject=subject, holder_id=to_holder, former_holders=[from_holder])
        .on_conflict_do_update(
            index_elements=[RightHolder.subject],
            set_={
                "holder_id": to_holder,
                "former_holders": func.array_append(col(RightHolder.former_holders), from_holder),
            },
        )
    )
    return len(ids)


async def holder_now(session: AsyncSession, subject: str, named: str | None) -> str | None:
    """``named``, unless the right ``subject`` has been transferred away from it since: then
    the holder now."""
    if named is None:
        return None
    record = await session.get(RightHolder, subject)
    if record is not None and named != record.holder_id and named in record.former_holders:
        return record.holder_id
    return named


CLAIM_COLUMNS = [getattr(Deadline, f) for f in Due.__slots__]  # type: ignore[attr-defined]
ADVANCE = text("""
UPDATE deadlines
SET reminded_lead = step.reminded_lead, next_step = step.next_step,
    next_fire_at = step.next_fire_at
FROM unnest(CAST(:ids AS varchar[]), CAST(:leads AS integer[]), CAST(:steps AS varchar[]),
            CAST(:fires AS timestamptz[])) AS step (id, reminded_lead, next_step, next_fire_at)
WHERE deadlines.id = step.id
""")


async def sweep(session: AsyncSession, now: datetime) -> int:
    """Turn every step due by ``now`` into alerts; returns the number of steps taken.

    Claims rows with SKIP LOCKED, so replicas sweeping at once never take the same deadline,
    and the unique (deadline, step, subscription) constraint stops any second alert. All of it
    is one transaction: a crash part-way leaves everything due for the next sweep. A batch
    costs four statements whatever its size: claim, advance, match subscriptions, insert alerts.
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
        return 0
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
    await alerts.fan_out(session=session, steps=steps, now=now)
    return len(steps)


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
    *,
    session: AsyncSession,
    page: PageParams,
    subject: str | None = None,
    kind: str | None = None,
    state: DeadlineState | None = None,
    holder_id: str | None = None,
    role: str | None = None,
    org_id: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> list[Deadline]:
    query = select(Deadline).order_by(col(Deadline.due_at), col(Deadline.id)).limit(page.limit + 1)
    for column, value in (
        (Deadline.subject, subject),
        (Deadline.kind, kind),
        (Deadline.state, state),
        (Deadline.holder_id, holder_id),
        (Deadline.role, role),
        (Deadline.org_id, org_id),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if due_from is not None:
        query = query.where(col(Deadline.due_at) >= due_from)
    if due_to is not None:
        query = query.where(col(Deadline.due_at) <= due_to)
    if (position := cursor_position(page, date.fromisoformat, str)) is not None:
        after_due, after_id = position
        query = query.where(
            (col(Deadline.due_at) > after_due)
            | ((col(Deadline.due_at) == after_due) & (col(Deadline.id) > after_id))
        )
    return list((await session.exec(query)).all())
