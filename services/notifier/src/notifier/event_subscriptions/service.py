"""Event subscriptions: government systems (and the bureau admin for anyone) subscribe an
endpoint to event types with filters; every matching event of the journal's log is queued for
it in the consuming transaction, delivered in order per subject by the notifier's one delivery
worker (``notifier.delivery``), and replayed from a position on request. Only this module
changes event subscriptions and their deliveries."""

from datetime import datetime, timedelta
from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal, Role
from servicekit.errors import FieldError, NotFound, validation_error
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.alerts.models import Outcome
from notifier.alerts.service import backoff
from notifier.event_subscriptions.models import (
    DeliveryStatus,
    EventDelivery,
    EventSubscription,
)
from notifier.event_subscriptions.schemas import DeliveryFilter, EventSubscriptionCreate
from notifier.feed import privacy
from notifier.feed.service import position_of
from notifier.settings import NotifierSettings
from notifier.subscriptions.destinations import DestinationRefused, check_destination
from notifier.subscriptions.service import new_secret

# A subscription hears of a logged event when it lists the type and each filter it sets agrees
# with the event, where the event carries the field (a null value is not carried).
MATCHES = """
    s.active AND e.type = ANY(s.types)
    AND (s.holder_id IS NULL
         OR COALESCE(e.data->>'holder_id', e.data->>'from_holder_id', e.data->>'to_holder_id')
            IS NULL
         OR s.holder_id IN (e.data->>'holder_id', e.data->>'from_holder_id',
                            e.data->>'to_holder_id'))
    AND (s.right_id IS NULL OR e.data->>'right_id' IS NULL OR e.data->>'right_id' = s.right_id)
    AND (s.mineral IS NULL OR e.data->>'mineral' IS NULL OR e.data->>'mineral' = s.mineral)
    AND (s.zone IS NULL OR e.data->>'zone' IS NULL OR e.data->>'zone' = s.zone)
"""
QUEUE = """
INSERT INTO event_deliveries (subscription_id, position, subject_key, status, attempts,
                              next_attempt_at, created_at)
SELECT s.id, e.id, COALESCE(e.subject, ''), 'pending', 0, CAST(:now AS timestamptz),
       CAST(:now AS timestamptz)
FROM received_events e JOIN event_subscriptions s ON {matches}
WHERE {where}
"""
FAN_OUT = text(
    QUEUE.format(matches=MATCHES, where="e.id = :position")
    + "ON CONFLICT ON CONSTRAINT event_deliveries_once DO NOTHING"
)
REPLAY = text(
    QUEUE.format(matches=MATCHES, where="s.id = :subscription_id AND e.id > :after")
    + """ON CONFLICT ON CONSTRAINT event_deliveries_once DO UPDATE
       SET status = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at,
           last_error = NULL, last_status_code = NULL, delivered_at = NULL"""
)
# what is due and first of its subject for its subscription: nothing earlier of the same
# subject still waits, so a mine's events leave in the order they happened
CLAIM = text("""
SELECT d.id FROM event_deliveries d
WHERE d.status = 'pending' AND d.next_attempt_at <= :now
  AND NOT EXISTS (
      SELECT 1 FROM event_deliveries e
      WHERE e.subscription_id = d.subscription_id AND e.subject_key = d.subject_key
        AND e.status = 'pending' AND e.position < d.position)
ORDER BY d.position
LIMIT :batch
FOR UPDATE OF d SKIP LOCKED
""")


def _invalid(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=field, message=message)])


async def create(
    *, session: AsyncSession, data: EventSubscriptionCreate, caller: Principal
) -> EventSubscription:
    settings: NotifierSettings = session.info["settings"]
    try:
        await check_destination(data.url, settings.webhook_allowed_networks)
    except DestinationRefused as exc:
        raise _invalid("body.url", str(exc)) from None
    filters = {name: value for name, value in data.filter.model_dump(mode="json").items()}
    subscription = EventSubscription(
        url=data.url,
        types=data.types,
        **filters,
        secret=new_secret(),
        personal_data=privacy.sees_personal(caller),
        created_by=caller.subject,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def get(
    *, session: AsyncSession, subscription_id: UUID, caller: Principal, lock: bool = False
) -> EventSubscription:
    """Another system's subscription is "not found": ids reveal nothing."""
    subscription = await get_or_404(
        session, EventSubscription, subscription_id, what="event subscription", for_update=lock
    )
    if not caller.has(Role.bureau_admin) and subscription.created_by != caller.subject:
        raise NotFound(f"No event subscription {subscription_id}.")
    return subscription


async def list_subscriptions(
    *, session: AsyncSession, caller: Principal, page: PageParams
) -> Page[EventSubscription]:
    query = select(EventSubscription)
    if not caller.has(Role.bureau_admin):
        query = query.where(col(EventSubscription.created_by) == caller.subject)
    order = (EventSubscription.created_at, EventSubscription.id)
    return await paginate(session, query, page, order=order)


async def delete(*, session: AsyncSession, subscription_id: UUID, caller: Principal) -> None:
    """Its queue goes with it: nothing more is sent."""
    subscription = await get(
        session=session, subscription_id=subscription_id, caller=caller, lock=True
    )
    await session.exec(
        update(EventDelivery)
        .where(
            col(EventDelivery.subscription_id) == subscription.id,
            col(EventDelivery.status) == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.dead, next_attempt_at=None, last_error="unsubscribed")
    )
    await session.delete(subscription)
    await session.flush()


async def replay(
    *, session: AsyncSession, subscription_id: UUID, caller: Principal, after: str
) -> int:
    """Queue again every matching event after the cursor ``after`` (delivered, dead or never
    sent alike), in order; re-enables a subscription disabled after a 410. Returns how many."""
    position = position_of(after, field="body.from")
    subscription = await get(
        session=session, subscription_id=subscription_id, caller=caller, lock=True
    )
    now = clock.now()
    if not subscription.active:
        subscription.active, subscription.disabled_reason = True, None
        subscription.updated_at = now
        await session.flush()
    connection = await session.connection()
    queued = await connection.execute(
        REPLAY, {"subscription_id": subscription.id, "after": position, "now": now}
    )
    return queued.rowcount


async def deliveries(
    *,
    session: AsyncSession,
    subscription_id: UUID,
    caller: Principal,
    page: PageParams,
    filters: DeliveryFilter,
) -> Page[EventDelivery]:
    await get(session=session, subscription_id=subscription_id, caller=caller)
    query = select(EventDelivery).where(col(EventDelivery.subscription_id) == subscription_id)
    if filters.status is not None:
        query = query.where(col(EventDelivery.status) == filters.status)
    return await paginate(session, query, page, order=(EventDelivery.id,))


async def fan_out(*, session: AsyncSession, position: int, now: datetime) -> int:
    """Queue the logged event at ``position`` for every subscription it matches (in the
    consuming transaction: an event is queued exactly when it is logged)."""
    connection = await session.connection()
    queued = await connection.execute(FAN_OUT, {"position": position, "now": now})
    return queued.rowcount


# --- for the delivery worker -------------------------------------------------------------


async def claim_due(
    session: AsyncSession, *, settings: NotifierSettings, now: datetime
) -> list[tuple[EventDelivery, EventSubscription]]:
    """Take the deliveries due at ``now`` that head their subject's queue (``DELIVERY_BATCH``
    at most, skipping rows another worker holds); each is due again one lease ahead, so a
    worker that dies leaves it to the next. The caller commits before sending."""
    connection = await session.connection()
    ids = [
        row[0]
        for row in await connection.execute(CLAIM, {"now": now, "batch": settings.delivery_batch})
    ]
    if not ids:
        return []
    rows = (
        await session.exec(
            select(EventDelivery, EventSubscription)
            .join(
                EventSubscription, col(EventSubscription.id) == col(EventDelivery.subscription_id)
            )
            .where(col(EventDelivery.id).in_(ids))
            .order_by(col(EventDelivery.position))
        )
    ).all()
    lease = timedelta(seconds=settings.delivery_lease_seconds)
    claimed = []
    for delivery, subscription in rows:
        if not subscription.active:  # disabled after a 410: its queue waits for a replay
            delivery.status, delivery.next_attempt_at = DeliveryStatus.dead, None
            delivery.last_error = f"the subscription is disabled: {subscription.disabled_reason}"
            continue
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease
        claimed.append((delivery, subscription))
    await session.flush()
    return claimed


async def settle(
    session: AsyncSession,
    delivery_id: int,
    attempt: int,
    outcome: Outcome,
    *,
    settings: NotifierSettings,
    now: datetime,
) -> bool:
    """What an attempt's outcome makes of its delivery, by the alerts' rules: delivered; dead
    (410 Gone also disables the subscription and drops its queue; refused; attempts spent);
    else due again after the same backoff. False when the attempt is no longer the caller's (its
    lease ran out and another worker took the delivery over)."""
    delivery = await session.get(EventDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.pending:
        return False
    if delivery.attempts != attempt:
        return False
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    if outcome.result == "delivered":
        delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
        delivery.next_attempt_at = None
    elif outcome.result == "gone":
        delivery.status, delivery.next_attempt_at = DeliveryStatus.dead, None
        await _disable(session, delivery.subscription_id, outcome.error or "410 Gone", now)
    elif outcome.result == "refused" or delivery.attempts >= settings.delivery_max_attempts:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.dead, None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts, settings)
    await session.flush()
    return True


async def _disable(session: AsyncSession, subscription_id: UUID, reason: str, now: datetime):
    await session.exec(
        update(EventSubscription)
        .where(col(EventSubscription.id) == subscription_id)
        .values(active=False, disabled_reason=reason, updated_at=now)
    )
    await session.exec(
        update(EventDelivery)
        .where(
            col(EventDelivery.subscription_id) == subscription_id,
            col(EventDelivery.status) == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.dead, next_attempt_at=None, last_error=reason)
    )
