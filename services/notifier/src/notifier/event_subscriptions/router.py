"""HTTP for event subscriptions: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from servicekit.auth import Principal, Role, require
from servicekit.deps import Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from notifier.event_subscriptions import service
from notifier.event_subscriptions.schemas import (
    DeliveryFilter,
    DeliveryPublic,
    EventSubscriptionCreate,
    EventSubscriptionCreated,
    EventSubscriptionPublic,
    ReplayQueued,
    ReplayRequest,
)
from notifier.feed import cursor

router = APIRouter(prefix="/event-subscriptions", tags=["event subscriptions 事件订阅"])
# government systems manage their own; the bureau admin anyone's
Subscriber = Annotated[Principal, Depends(require(Role.gov_system, Role.bureau_admin))]
DELIVERY_FIELDS = set(DeliveryPublic.model_fields) - {"cursor", "subject"}
NO_SUBSCRIPTION = {404: problem_doc("No such event subscription (or another system's)")}


@router.post("", status_code=201, summary="Subscribe to domain events 订阅领域事件")
async def create_event_subscription(
    data: EventSubscriptionCreate, session: Session, caller: Subscriber, response: Response
) -> EventSubscriptionCreated:
    """Your endpoint receives every event of `types` that passes `filter` as a CloudEvent 1.0
    in structured mode (`Content-Type: application/cloudevents+json`), signed per Standard
    Webhooks (`webhook-id` = the event id, `webhook-timestamp`, `webhook-signature`) with the
    `secret` returned here, once. At least once; a subject's (a mine's) events in the order
    they happened; answer 2xx to take one, 410 to stop; anything else is retried with
    backoff, then dead-lettered. Each event carries its `cursor`: after an outage, `POST
    /event-subscriptions/{id}/replay` with the last one you processed. The URL must resolve to
    public addresses (or to a network on the notifier's allow-list)."""
    subscription = await service.create(session=session, data=data, caller=caller)
    response.headers["Location"] = f"/event-subscriptions/{subscription.id}"
    return EventSubscriptionCreated(
        **EventSubscriptionPublic.of(subscription).model_dump(), secret=subscription.secret
    )


@router.get("", summary="Your event subscriptions 事件订阅列表")
async def list_event_subscriptions(
    session: Session, caller: Subscriber, page: Paging
) -> Page[EventSubscriptionPublic]:
    """A government system sees its own; the bureau admin every one."""
    rows = await service.list_subscriptions(session=session, caller=caller, page=page)
    return rows.with_items([EventSubscriptionPublic.of(row) for row in rows.items])


@router.get(
    "/{subscription_id}", summary="An event subscription 事件订阅详情", responses=NO_SUBSCRIPTION
)
async def get_event_subscription(
    subscription_id: UUID, session: Session, caller: Subscriber
) -> EventSubscriptionPublic:
    """Another system's subscription is 404."""
    subscription = await service.get(
        session=session, subscription_id=subscription_id, caller=caller
    )
    return EventSubscriptionPublic.of(subscription)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    summary="Unsubscribe 取消事件订阅",
    responses=NO_SUBSCRIPTION,
)
async def delete_event_subscription(
    subscription_id: UUID, session: Session, caller: Subscriber
) -> Response:
    """Nothing more is sent; deliveries still waiting are dropped."""
    await service.delete(session=session, subscription_id=subscription_id, caller=caller)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/replay",
    status_code=202,
    summary="Replay events from a position 从指定位置重放事件",
    responses=NO_SUBSCRIPTION,
)
async def replay_events(
    subscription_id: UUID, data: ReplayRequest, session: Session, caller: Subscriber
) -> ReplayQueued:
    """Every event matching the subscription after the cursor `from` is delivered again, in
    order (those delivered before, dead-lettered or never sent alike; the same ids, so a
    receiver that keeps them drops repeats). Re-enables a subscription disabled after a 410."""
    queued = await service.replay(
        session=session, subscription_id=subscription_id, caller=caller, after=data.from_
    )
    return ReplayQueued(from_=data.from_, queued=queued)


@router.get(
    "/{subscription_id}/deliveries",
    summary="Deliveries and dead letters 投递记录与死信",
    responses=NO_SUBSCRIPTION,
)
async def list_deliveries(
    subscription_id: UUID,
    session: Session,
    caller: Subscriber,
    page: Paging,
    filters: Annotated[DeliveryFilter, Query()],
) -> Page[DeliveryPublic]:
    """The subscription's deliveries in log order with their state (`status=dead`: the dead
    letters, given up on after the retries, a 410 or a refused destination)."""
    rows = await service.deliveries(
        session=session, subscription_id=subscription_id, caller=caller, page=page, filters=filters
    )
    return rows.with_items(
        [
            DeliveryPublic(
                **{name: getattr(row, name) for name in DELIVERY_FIELDS},
                cursor=cursor.encode(row.position),
                subject=row.subject_key or None,
            )
            for row in rows.items
        ]
    )
