"""Delivering alerts from the table: claim with a lease, send outside any transaction, record.

Consuming events only writes rows; this worker does the slow part, so a slow endpoint never
holds up the Kafka consumer. Claims use ``FOR UPDATE SKIP LOCKED``, so every replica can run a
worker and no alert is taken twice. A claim moves ``next_attempt_at`` one lease ahead: if the
worker dies before recording the result, the alert is simply due again after the lease and
the attempt it left open is logged as interrupted. A repeat after such a crash carries the same
``webhook-id`` / ``Message-ID``, so receivers can drop it (Standard Webhooks, idempotency).
"""

import asyncio
import logging
import random
import weakref
from datetime import datetime, timedelta

from prometheus_client import Counter
from servicekit.db import Database
from servicekit.metrics import ServiceMetrics
from sqlalchemy import update
from sqlmodel import col, select

from notifier.alerts.models import Alert, AlertStatus, DeliveryAttempt
from notifier.delivery.channels import Channels, Outcome, Parcel
from notifier.settings import NotifierSettings
from notifier.subscriptions import service as subscriptions
from notifier.subscriptions.models import Subscription

log = logging.getLogger("notifier.delivery")
PARCEL_FROM_ALERT = {"channel", "deadline_id", "kind", "subject", "step", "title", "body"}
_counters: "weakref.WeakKeyDictionary[ServiceMetrics, Counter]" = weakref.WeakKeyDictionary()


def _count(metrics: ServiceMetrics | None, channel: str, outcome: str) -> None:
    if metrics is None:
        return
    if metrics not in _counters:
        _counters[metrics] = Counter(
            "notifier_delivery_attempts_total",
            "Delivery attempts by channel and outcome",
            ["channel", "outcome"],
            registry=metrics.registry,
        )
    _counters[metrics].labels(channel, outcome).inc()


def backoff(attempt: int, settings: NotifierSettings) -> timedelta:
    """Exponential backoff with jitter: half the delay fixed, half random (over hours)."""
    delay = min(
        settings.delivery_retry_max_seconds,
        settings.delivery_retry_base_seconds * 2 ** (attempt - 1),
    )
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


async def claim(
    *, db: Database, settings: NotifierSettings, now: datetime, worker: str
) -> list[Parcel]:
    async with db.transaction() as session:
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
        return [
            Parcel(
                **alert.model_dump(include=PARCEL_FROM_ALERT),
                **subscription.model_dump(include={"email", "url", "secret"}),
                alert_id=alert.id,
                attempt_id=attempt.id,
                stage=alert.stage,  # as stored: the plain string
                due_at=alert.due_at.isoformat(),
            )
            for alert, subscription, attempt in claimed
        ]


async def record(
    *,
    db: Database,
    settings: NotifierSettings,
    parcel: Parcel,
    outcome: Outcome,
    now: datetime,
) -> None:
    async with db.transaction() as session:
        alert = await session.get(Alert, parcel.alert_id, with_for_update=True)
        attempt = await session.get(DeliveryAttempt, parcel.attempt_id, with_for_update=True)
        if alert is None or attempt is None or attempt.finished_at is not None:
            return  # another worker took over after our lease ran out; it records its own
        _count(session.info.get("metrics"), parcel.channel, outcome.result)
        attempt.finished_at, attempt.outcome = now, outcome.result
        attempt.status_code, attempt.error = outcome.status_code, outcome.error
        if alert.status != AlertStatus.pending:
            return  # cancelled meanwhile (the deadline was met): the log keeps the attempt
        alert.last_error = outcome.error
        if outcome.result == "delivered":
            alert.status, alert.delivered_at, alert.next_attempt_at = (
                AlertStatus.delivered,
                now,
                None,
            )
        elif outcome.result == "gone":
            alert.status, alert.next_attempt_at = AlertStatus.dead, None
            await _disable(session, alert, reason=outcome.error or "410 Gone", now=now)
        elif outcome.result == "refused" or alert.attempts >= settings.delivery_max_attempts:
            alert.status, alert.next_attempt_at = AlertStatus.dead, None
        else:
            alert.next_attempt_at = now + backoff(alert.attempts, settings)


async def _disable(session, alert: Alert, *, reason: str, now: datetime) -> None:
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


async def deliver_due(
    *,
    db: Database,
    settings: NotifierSettings,
    channels: Channels,
    now: datetime,
    worker: str,
) -> int:
    """One round: claim what is due at ``now``, send it, record each result. Returns how many."""
    parcels = await claim(db=db, settings=settings, now=now, worker=worker)
    gate = asyncio.Semaphore(settings.delivery_concurrency)

    async def one(parcel: Parcel) -> None:
        async with gate:
            try:
                outcome = await channels.send(parcel)
            except Exception as exc:  # a bug in a channel must not kill the round
                log.exception("delivery of alert %s failed unexpectedly", parcel.alert_id)
                outcome = Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:1000])
            await record(db=db, settings=settings, parcel=parcel, outcome=outcome, now=now)

    await asyncio.gather(*(one(p) for p in parcels))
    return len(parcels)
