"""Alerts: created by the sweep for each matching subscription, read in the inbox, resent by
admins. Delivery itself lives in ``notifier.delivery``."""

from collections.abc import Sequence
from datetime import datetime

from servicekit import clock
from servicekit.errors import Conflict, NotFound
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import ARRAY, String, and_, any_, bindparam, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.alerts.messages import render
from notifier.alerts.models import Alert, AlertStatus, DeliveryAttempt, Stage
from notifier.alerts.schemas import AlertFilter
from notifier.deadlines import service as deadlines
from notifier.deadlines.models import Deadline, Due
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
