"""Delivering alerts from the table: claim with a lease, send outside any transaction, record.
The alerts' rows and their attempt log change only through ``notifier.alerts.service``.

Consuming events only writes rows; this worker does the slow part, so a slow endpoint never
holds up the Kafka consumer. Claims use ``FOR UPDATE SKIP LOCKED``, so every replica can run a
worker and no alert is taken twice. A claim moves ``next_attempt_at`` one lease ahead: if the
worker dies before recording the result, the alert is simply due again after the lease and
the attempt it left open is logged as interrupted. A repeat after such a crash carries the same
``webhook-id`` / ``Message-ID``, so receivers can drop it (Standard Webhooks, idempotency).
"""

import asyncio
import logging
import weakref
from datetime import datetime

from prometheus_client import Counter
from servicekit.db import Database
from servicekit.metrics import ServiceMetrics

from notifier.alerts import service as alerts
from notifier.alerts.models import Outcome
from notifier.delivery.channels import Channels, Parcel
from notifier.settings import NotifierSettings

log = logging.getLogger("notifier.delivery")
PARCEL_FROM_ALERT = {"channel", "deadline_id", "kind", "subject", "step", "title", "body"}
_counters: "weakref.WeakKeyDictionary[ServiceMetrics, Counter]" = weakref.WeakKeyDictionary()


def count_attempt(metrics: ServiceMetrics | None, channel: str, outcome: str) -> None:
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


async def claim(
    *, db: Database, settings: NotifierSettings, now: datetime, worker: str
) -> list[Parcel]:
    """Claim what is due in a transaction of its own, committed before anything is sent."""
    async with db.transaction() as session:
        claimed = await alerts.claim_due(session, settings=settings, now=now, worker=worker)
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
    """Record one attempt's outcome in a transaction of its own."""
    async with db.transaction() as session:
        alert = await alerts.finish_attempt(
            session, parcel.alert_id, parcel.attempt_id, outcome=outcome, now=now
        )
        if alert is None:
            return  # another worker took over after our lease ran out; it records its own
        count_attempt(session.info.get("metrics"), parcel.channel, outcome.result)
        await alerts.settle(session, alert, outcome, settings=settings, now=now)


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
