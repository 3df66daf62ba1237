"""Delivering domain events to event subscriptions: the same claim, send, record cycle as the
alerts (``service.py``), the same signed POST with its destination checks (``channels.py``)
and the same retry rules (``event_subscriptions.service.settle``). The queue and its order per
subject live in ``notifier.event_subscriptions``."""

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from servicekit.db import Database

from notifier.alerts.models import Outcome
from notifier.delivery.channels import Channels
from notifier.delivery.service import count_attempt
from notifier.event_subscriptions import service as event_subscriptions
from notifier.feed.cloudevents import CONTENT_TYPE, structured
from notifier.journal import service as journal
from notifier.settings import NotifierSettings

log = logging.getLogger("notifier.delivery")


@dataclass(frozen=True)
class EventParcel:
    """One attempt at delivering one event, read when it was claimed."""

    delivery_id: int
    attempt: int
    subject: str
    event_id: str
    url: str
    secret: str
    body: str  # the structured-mode CloudEvent, as the subscription may see it


async def claim(*, db: Database, settings: NotifierSettings, now: datetime) -> list[EventParcel]:
    async with db.transaction() as session:
        claimed = await event_subscriptions.claim_due(session, settings=settings, now=now)
        entries = await journal.entries_by_id(
            session=session, ids=[delivery.position for delivery, _ in claimed]
        )
        parcels = []
        for delivery, subscription in claimed:
            event = structured(entries[delivery.position], personal_data=subscription.personal_data)
            parcels.append(
                EventParcel(
                    delivery_id=delivery.id or 0,
                    attempt=delivery.attempts,
                    subject=delivery.subject_key,
                    event_id=event["id"],
                    url=subscription.url,
                    secret=subscription.secret,
                    body=json.dumps(event, ensure_ascii=False, separators=(",", ":")),
                )
            )
        return parcels


async def deliver_events_due(
    *, db: Database, settings: NotifierSettings, channels: Channels, now: datetime
) -> int:
    """One round: claim the events due at ``now`` (at most one per subject and subscription:
    each heads its queue), send them, record each result. Returns how many."""
    parcels = await claim(db=db, settings=settings, now=now)
    gate = asyncio.Semaphore(settings.delivery_concurrency)

    async def one(parcel: EventParcel) -> None:
        async with gate:
            try:
                outcome = await channels.post_signed(
                    url=parcel.url,
                    secret=parcel.secret,
                    message_id=parcel.event_id,
                    body=parcel.body,
                    content_type=CONTENT_TYPE,
                )
            except Exception as exc:  # a bug in a channel must not kill the round
                log.exception("delivery of event %s failed unexpectedly", parcel.event_id)
                outcome = Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:1000])
            async with db.transaction() as session:
                settled = await event_subscriptions.settle(
                    session, parcel.delivery_id, parcel.attempt, outcome, settings=settings, now=now
                )
                if settled:  # else another worker took over after our lease; it counts its own
                    count_attempt(session.info.get("metrics"), "event", outcome.result)

    await asyncio.gather(*(one(p) for p in parcels))
    return len(parcels)
