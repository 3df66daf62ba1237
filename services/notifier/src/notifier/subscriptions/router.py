"""HTTP for subscriptions: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.concurrency import IfMatch, set_etag
from servicekit.deps import Anyone, Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from notifier.subscriptions import service
from notifier.subscriptions.schemas import (
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionFilter,
    SubscriptionPublic,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/subscriptions", tags=["subscriptions 订阅"])
NOT_ALLOWED = {403: problem_doc("Channel not allowed for the role, or another holder's deadlines")}
NO_SUBSCRIPTION = {404: problem_doc("No such subscription")}
STALE = {412: problem_doc("Stale If-Match"), 428: problem_doc("If-Match missing")}


@router.post("", status_code=201, summary="Subscribe a recipient 新增订阅", responses=NOT_ALLOWED)
async def create_subscription(
    data: SubscriptionCreate,
    session: Session,
    caller: Anyone,
    response: Response,
) -> SubscriptionCreated:
    """One recipient on one channel for the deadlines its selectors match (holder, role,
    organisation, kinds; none set = every deadline). Enterprises subscribe contacts for their own
    holder (e-mail, inbox), evaluators for their organisation, government systems register
    webhook endpoints (the signing secret is returned once), inspectors and reviewers their own
    inbox; bureau admins anything. Webhook URLs must resolve to public addresses or to a network
    on the allow-list.
    """
    subscription = await service.create(session=session, data=data, caller=caller)
    response.headers["Location"] = f"/subscriptions/{subscription.id}"
    set_etag(response, subscription.version)
    return SubscriptionCreated.model_validate(subscription)


@router.get("", summary="List subscriptions 订阅列表")
async def list_subscriptions(
    session: Session, caller: Anyone, page: Paging, filters: Annotated[SubscriptionFilter, Query()]
) -> Page[SubscriptionPublic]:
    """Bureau admins see all; others the ones they created or that belong to their holder or
    organisation.
    """
    rows = await service.list_subscriptions(
        session=session, caller=caller, page=page, filters=filters
    )
    return rows.shaped(SubscriptionPublic)


@router.get("/{subscription_id}", summary="A subscription 订阅详情", responses=NO_SUBSCRIPTION)
async def get_subscription(
    subscription_id: UUID, session: Session, caller: Anyone, response: Response
) -> SubscriptionPublic:
    """404 for a subscription the caller may not see."""
    subscription = await service.get(
        session=session, subscription_id=subscription_id, caller=caller
    )
    set_etag(response, subscription.version)
    return SubscriptionPublic.model_validate(subscription)


@router.patch(
    "/{subscription_id}",
    summary="Change a subscription 修改订阅",
    responses=NO_SUBSCRIPTION | STALE,
)
async def update_subscription(
    subscription_id: UUID,
    data: SubscriptionUpdate,
    session: Session,
    caller: Anyone,
    response: Response,
    if_match: IfMatch,
) -> SubscriptionPublic:
    """Needs `If-Match`. `active: true` re-enables an endpoint disabled after a 410."""
    subscription = await service.update(
        session=session,
        subscription_id=subscription_id,
        caller=caller,
        if_match=if_match,
        data=data,
    )
    set_etag(response, subscription.version)
    return SubscriptionPublic.model_validate(subscription)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    summary="Remove a subscription 删除订阅",
    responses=NO_SUBSCRIPTION,
)
async def delete_subscription(subscription_id: UUID, session: Session, caller: Anyone) -> Response:
    """Alerts already sent keep their delivery log."""
    await service.delete(session=session, subscription_id=subscription_id, caller=caller)
    return Response(status_code=204)
