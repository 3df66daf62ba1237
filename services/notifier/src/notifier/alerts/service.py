"""Alerts: created by the sweep for each matching subscription, read in the inbox, resent by
admins; claimed, settled and dropped for the delivery worker, whose sending lives in
``notifier.delivery``. Only this module changes alert rows and their attempt log."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from servicekit import clock
from servicekit.errors import Conflict, NotFound
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import ARRAY, String, and_, any_, bindparam, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.alerts.messages import render
from notifier.alerts.models import Alert, AlertStatus, DeliveryAttempt, Outcome, Stage
from notifier.alerts.schemas import AlertFilter
from notifier.deadlines import service as deadlines
from notifier.deadlines.models import Deadline, Due
from notifier.settings import NotifierSettings
from notifier.subscriptions import service as subscriptions
from notifier.subscriptions.models import Channel, Subscription, destination


def _matches(deadline: type[Deadline]):
    """A subscription hears of a deadline when every selector it sets agrees."""
    return and_(
        col(Subscription.active),
        or_(col(Subscription.holder_id).is_(None), Subscription.holder_id == deadline.holder_id),
        or_(col(Subscription.role).is_(None), Subscription.role == deadline.role),
        or_(col(Subscription.org_id).is_(None), Subscription.org_id == deadline.org_id),
        or_(col(Subscription.kinds).is_(None), deadline.kind == Subscription.kinds.any_()),  # type: ignore[union-attr]
    )


MATCHES = (
    select(
        col(Deadline.id),
        col(Subscription.id),
        col(Subscription.language),
        col(Subscription.channel),
        col(Subscription.email),
        col(Subscription.url),
        col(Subscription.inbox_user),
    )
    .join(Subscription, _matches(Deadline))
    .where(col(Deadline.id) == any_(bindparam("ids", type_=ARRAY(String))))
)
ALERT_COLUMNS = ("deadline_ids", "subscription_ids", "steps", "stages", "channels", "recipients",
                 "kinds", "subjects", "titles", "bodies", "dues", "statuses")  # fmt: skip
# one statement for the whole batch, one array per column; a second try inserts nothing
INSERT_ALERTS = text("""
INSERT INTO alerts (deadline_id, subscription_id, step, stage, channel, recipient, kind,
                    subject, title, body, due_at, status, attempts, next_attempt_at,
                    delivered_at, created_at)
SELECT alert.*, 0, CASE WHEN alert.status = 'pending' THEN CAST(:now AS timestamptz) END,
       CASE WHEN alert.status = 'delivered' THEN CAST(:now AS timestamptz) END,
       CAST(:now AS timestamptz)
FROM unnest(CAST(:deadline_ids AS varchar[]), CAST(:subscription_ids AS uuid[]),
            CAST(:steps AS varchar[]), CAST(:stages AS varchar[]), CAST(:channels AS varchar[]),
            CAST(:recipients AS varchar[]), CAST(:kinds AS varchar[]),
            CAST(:subjects AS varchar[]), CAST(:titles AS varchar[]), CAST(:bodies AS text[]),
            CAST(:dues AS date[]), CAST(:statuses AS varchar[]))
    AS alert (deadline_id, subscription_id, step, stage, channel, recipient, kind, subject,
              title, body, due_at, status)
ON CONFLICT ON CONSTRAINT alerts_once DO NOTHING
""")


async def sweep(session: AsyncSession, now: datetime) -> int:
    """Turn every step due by ``now`` into alerts; returns the number of steps taken.

    The unique (deadline, step, subscription) constraint stops any second alert. All of it is
    one transaction: a crash part-way leaves everything due for the next sweep. A batch costs
    four statements whatever its size: claim, advance, match subscriptions, insert alerts.
    """
    steps = await deadlines.take_due_steps(session=session, now=now)
    await fan_out(session=session, steps=steps, now=now)
    return len(steps)


async def fan_out(*, session: AsyncSession, steps: Sequence[tuple[Due, str]], now: datetime) -> int:
    """One alert per (deadline, step, subscription); a second try inserts nothing."""
    if not steps:
        return 0
    step_of = {deadline.id: (deadline, step) for deadline, step in steps}
    connection = await session.connection()
    pairs = (await connection.execute(MATCHES, {"ids": list(step_of)})).all()
    if not pairs:
        return 0
    today = clock.local_today(now)
    rows = []
    for deadline_id, subscription_id, language, channel, email, url, inbox_user in pairs:
        deadline, step = step_of[deadline_id]
        stage = Stage.overdue if step == "overdue" else Stage.reminder
        message = render(
            language=language,
            kind=deadline.kind,
            stage=stage,
            title_zh=deadline.title_zh,
            due_at=deadline.due_at,
            subject=deadline.subject,
            days_left=(deadline.due_at - today).days,
        )
        # the inbox is delivered by being written; other channels wait for the worker
        inbox = channel == Channel.inbox
        rows.append(
            (
                deadline_id,
                subscription_id,
                step,
                stage.value,
                channel,
                destination(channel, email, url, inbox_user),
                deadline.kind,
                deadline.subject,
                message.title,
                message.body,
                deadline.due_at,
                (AlertStatus.delivered if inbox else AlertStatus.pending).value,
            )
        )
    columns = dict(zip(ALERT_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
    inserted = await connection.execute(INSERT_ALERTS, {**columns, "now": now})
    return inserted.rowcount


async def cancel_pending(
    *, session: AsyncSession, deadline_ids: Sequence[str], holder_id: str | None = None
) -> None:
    """A met or cancelled deadline: alerts not yet out stay unsent. With ``holder_id``: only
    the alerts for that holder's subscriptions (the deadlines passed to another holder)."""
    if not deadline_ids:
        return
    query = update(Alert).where(
        col(Alert.deadline_id).in_(deadline_ids), col(Alert.status) == AlertStatus.pending
    )
    if holder_id is not None:
        holders = select(Subscription.id).where(col(Subscription.holder_id) == holder_id)
        query = query.where(col(Alert.subscription_id).in_(holders))
    await session.exec(query.values(status=AlertStatus.cancelled, next_attempt_at=None))


def _in_inbox(user: str) -> tuple:
    return col(Alert.channel) == Channel.inbox, col(Alert.recipient) == user


async def inbox(
    *, session: AsyncSession, user: str, page: PageParams, unread: bool = False
) -> Page[Alert]:
    """Newest first."""
    query = select(Alert).where(*_in_inbox(user))
    if unread:
        query = query.where(col(Alert.read_at).is_(None))
    return await paginate(session, query, page, order=(Alert.id,), descending=True)


async def inbox_since(*, session: AsyncSession, user: str, after_id: int) -> list[Alert]:
    query = select(Alert).where(*_in_inbox(user), col(Alert.id) > after_id)
    query = query.order_by(col(Alert.id)).limit(100)
    return list((await session.exec(query)).all())


async def latest_inbox_id(*, session: AsyncSession, user: str) -> int:
    query = select(Alert.id).where(*_in_inbox(user)).order_by(col(Alert.id).desc()).limit(1)
    return (await session.exec(query)).first() or 0


async def mark_read(*, session: AsyncSession, user: str, alert_id: int) -> Alert:
    alert = await session.get(Alert, alert_id)
    # another user's alert is "not found", never "forbidden": ids reveal nothing
    if alert is None or alert.channel != Channel.inbox or alert.recipient != user:
        raise NotFound(f"No alert {alert_id} in your inbox.")
    if alert.read_at is None:
        alert.read_at = clock.now()
        await session.flush()
    return alert


async def list_alerts(
    *, session: AsyncSession, page: PageParams, filters: AlertFilter
) -> Page[Alert]:
    query = select(Alert)
    for name, value in filters.model_dump(exclude_none=True).items():
        query = query.where(col(getattr(Alert, name)) == value)
    return await paginate(session, query, page, order=(Alert.id,))


async def get_alert(*, session: AsyncSession, alert_id: int, for_update: bool = False) -> Alert:
    return await get_or_404(session, Alert, alert_id, what="alert", for_update=for_update)


async def attempts(
    *, session: AsyncSession, alert_id: int, page: PageParams
) -> Page[DeliveryAttempt]:
    """Every attempt at delivering the alert, in order."""
    await get_alert(session=session, alert_id=alert_id)
    query = select(DeliveryAttempt).where(col(DeliveryAttempt.alert_id) == alert_id)
    return await paginate(session, query, page, order=(DeliveryAttempt.id,))


async def resend(*, session: AsyncSession, alert_id: int) -> Alert:
    """Queue an alert again (a dead letter after the endpoint was fixed, a lost e-mail)."""
    alert = await get_alert(session=session, alert_id=alert_id, for_update=True)
    if alert.channel == Channel.inbox:
        raise Conflict("Inbox alerts are delivered by being stored; there is nothing to resend.")
    if alert.status == AlertStatus.pending:
        raise Conflict("The alert is already waiting for delivery.")
    subscription = await session.get(Subscription, alert.subscription_id)
    if subscription is None or not subscription.active:
        raise Conflict(
            "The subscription is disabled; enable it (PATCH /subscriptions/{id}) first.",
            reason=subscription.disabled_reason if subscription else None,
        )
    alert.status, alert.attempts = AlertStatus.pending, 0
    alert.next_attempt_at, alert.last_error = clock.now(), None
    await session.flush()
    return alert


def backoff(attempt: int, settings: NotifierSettings) -> timedelta:
    """Exponential backoff with jitter: half the delay fixed, half random (over hours)."""
    delay = min(
        settings.delivery_retry_max_seconds,
        settings.delivery_retry_base_seconds * 2 ** (attempt - 1),
    )
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


async def claim_due(
    session: AsyncSession, *, settings: NotifierSettings, now: datetime, worker: str
) -> list[tuple[Alert, Subscription, DeliveryAttempt]]:
    """Take the alerts due at ``now`` for ``worker`` (``DELIVERY_BATCH`` at most), skipping rows
    another worker holds: each is due again one lease ahead and gets an open attempt (an attempt
    a dead worker left open is logged interrupted). An alert whose subscription is gone or
    disabled becomes a dead letter instead. The caller commits before sending."""
    rows = (
        await session.exec(
            select(Alert, Subscription)
            .outerjoin(Subscription, col(Subscription.id) == col(Alert.subscription_id))
            .where(col(Alert.status) == AlertStatus.pending, col(Alert.next_attempt_at) <= now)
            .order_by(col(Alert.next_attempt_at))
            .limit(settings.delivery_batch)
            .with_for_update(of=Alert, skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    await session.exec(
        update(DeliveryAttempt)
        .where(
            col(DeliveryAttempt.alert_id).in_([alert.id for alert, _ in rows]),
            col(DeliveryAttempt.finished_at).is_(None),
        )
        .values(
            finished_at=now,
            outcome="interrupted",
            error="the worker stopped before recording a result; its lease ran out",
        )
    )
    claimed = []
    for alert, subscription in rows:
        if subscription is None or not subscription.active:
            alert.status, alert.next_attempt_at = AlertStatus.dead, None
            alert.last_error = (
                "the subscription was removed"
                if subscription is None
                else f"the subscription is disabled: {subscription.disabled_reason or 'paused'}"
            )
            continue
        alert.attempts += 1
        alert.next_attempt_at = now + timedelta(seconds=settings.delivery_lease_seconds)
        attempt = DeliveryAttempt(alert_id=alert.id, worker=worker, started_at=now)
        session.add(attempt)
        claimed.append((alert, subscription, attempt))
    await session.flush()  # one flush for the whole batch gives every attempt its id
    return claimed


async def finish_attempt(
    session: AsyncSession, alert_id: int, attempt_id: int, *, outcome: Outcome, now: datetime
) -> Alert | None:
    """Log the attempt's outcome; returns its alert (locked), or ``None`` when the attempt is no
    longer the caller's: its lease ran out and another worker took over (it records its own)."""
    alert = await session.get(Alert, alert_id, with_for_update=True)
    attempt = await session.get(DeliveryAttempt, attempt_id, with_for_update=True)
    if alert is None or attempt is None or attempt.finished_at is not None:
        return None
    attempt.finished_at, attempt.outcome = now, outcome.result
    attempt.status_code, attempt.error = outcome.status_code, outcome.error
    return alert


async def settle(
    session: AsyncSession,
    alert: Alert,
    outcome: Outcome,
    *,
    settings: NotifierSettings,
    now: datetime,
) -> None:
    """What an attempt's outcome makes of its alert: delivered; dead (410 Gone also disables the
    subscription and drops its queue; refused; attempts spent); else due again after a backoff.
    An alert cancelled meanwhile stays cancelled."""
    if alert.status != AlertStatus.pending:
        return  # cancelled meanwhile (the deadline was met): the log keeps the attempt
    alert.last_error = outcome.error
    if outcome.result == "delivered":
        alert.status, alert.delivered_at, alert.next_attempt_at = AlertStatus.delivered, now, None
    elif outcome.result == "gone":
        alert.status, alert.next_attempt_at = AlertStatus.dead, None
        await _disable(session, alert, reason=outcome.error or "410 Gone", now=now)
    elif outcome.result == "refused" or alert.attempts >= settings.delivery_max_attempts:
        alert.status, alert.next_attempt_at = AlertStatus.dead, None
    else:
        alert.next_attempt_at = now + backoff(alert.attempts, settings)


async def _disable(session: AsyncSession, alert: Alert, *, reason: str, now: datetime) -> None:
    """410 Gone: the receiver wants no more. The endpoint is disabled and its queue dropped."""
    await subscriptions.disable(
        session=session, subscription_id=alert.subscription_id, reason=reason, now=now
    )
    await session.exec(
        update(Alert)
        .where(
            col(Alert.subscription_id) == alert.subscription_id,
            col(Alert.status) == AlertStatus.pending,
            col(Alert.id) != alert.id,
        )
        .values(status=AlertStatus.dead, next_attempt_at=None, last_error=reason)
    )
