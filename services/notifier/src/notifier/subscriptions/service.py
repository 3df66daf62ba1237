"""Subscriptions: enterprises manage their own contacts, evaluators their organisation's, the
bureau everyone's; government systems register webhook endpoints; staff subscribe their inbox."""

import base64
import secrets
from datetime import datetime
from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal, Role
from servicekit.concurrency import require_if_match
from servicekit.errors import FieldError, Forbidden, NotFound, validation_error
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import update as update_rows
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.settings import NotifierSettings
from notifier.subscriptions.destinations import DestinationRefused, check_destination
from notifier.subscriptions.models import Channel, Subscription
from notifier.subscriptions.schemas import (
    SubscriptionCreate,
    SubscriptionFilter,
    SubscriptionUpdate,
)

# which channels each kind of caller may set up (the bureau admin: all)
CHANNELS = {
    Role.gov_system: {Channel.webhook},
    Role.enterprise: {Channel.email, Channel.inbox},
    Role.evaluator: {Channel.email, Channel.inbox},
    Role.bureau_reviewer: {Channel.inbox},
    Role.inspector: {Channel.inbox},
}


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _allowed_channels(caller: Principal) -> set[Channel]:
    if caller.has(Role.bureau_admin):
        return set(Channel)
    return set().union(*(CHANNELS.get(role, set()) for role in caller.roles))


def _invalid(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=field, message=message)])


async def _check_url(session: AsyncSession, url: str) -> None:
    """A webhook URL must resolve to public addresses or into a network on the service's
    allow-list (``webhook_allowed_networks``)."""
    settings: NotifierSettings = session.info["settings"]
    try:
        await check_destination(url, settings.webhook_allowed_networks)
    except DestinationRefused as exc:
        raise _invalid("body.url", str(exc)) from None


async def create(
    *, session: AsyncSession, data: SubscriptionCreate, caller: Principal
) -> Subscription:
    if data.channel not in _allowed_channels(caller):
        raise Forbidden(f"Your role may not set up {data.channel} subscriptions.")
    holder_id, org_id, inbox_user = data.holder_id, data.org_id, data.inbox_user
    if caller.own_holder is not None:  # an enterprise: its own holder's deadlines only
        caller.ensure_holder(holder_id or caller.own_holder)
        holder_id = str(caller.own_holder)
    if caller.own_org is not None:
        caller.ensure_org(org_id or caller.own_org)
        org_id = caller.own_org
    if data.channel == Channel.inbox:
        if inbox_user not in (None, caller.subject) and not caller.has(Role.bureau_admin):
            raise Forbidden("You may subscribe only your own inbox.")
        inbox_user = inbox_user or caller.subject
    if data.url is not None:
        await _check_url(session, data.url)
    subscription = Subscription(
        **data.model_dump(exclude={"holder_id", "org_id", "inbox_user"}),
        holder_id=holder_id,
        org_id=org_id,
        inbox_user=inbox_user,
        secret=new_secret() if data.channel == Channel.webhook else None,
        created_by=caller.subject,
    )
    session.add(subscription)
    await session.flush()
    return subscription


def _visible(caller: Principal):
    if caller.has(Role.bureau_admin):
        return None
    conditions = [col(Subscription.created_by) == caller.subject]
    if caller.own_holder is not None:
        conditions.append(col(Subscription.holder_id) == str(caller.own_holder))
    if caller.own_org is not None:
        conditions.append(col(Subscription.org_id) == caller.own_org)
    return or_(*conditions)


async def list_subscriptions(
    *, session: AsyncSession, caller: Principal, page: PageParams, filters: SubscriptionFilter
) -> Page[Subscription]:
    query = select(Subscription)
    if (visible := _visible(caller)) is not None:
        query = query.where(visible)
    for name, value in filters.model_dump(exclude_none=True).items():
        query = query.where(col(getattr(Subscription, name)) == value)
    return await paginate(session, query, page, order=(Subscription.created_at, Subscription.id))


async def get(
    *, session: AsyncSession, subscription_id: UUID, caller: Principal, lock: bool = False
) -> Subscription:
    query = select(Subscription).where(col(Subscription.id) == subscription_id)
    if (visible := _visible(caller)) is not None:
        query = query.where(visible)
    if lock:
        query = query.with_for_update()
    subscription = (await session.exec(query)).first()
    if subscription is None:  # someone else's is "not found": ids reveal nothing
        raise NotFound(f"No subscription {subscription_id}.")
    return subscription


async def update(
    *,
    session: AsyncSession,
    subscription_id: UUID,
    caller: Principal,
    if_match: str | None,
    data: SubscriptionUpdate,
) -> Subscription:
    subscription = await get(
        session=session, subscription_id=subscription_id, caller=caller, lock=True
    )
    require_if_match(if_match, subscription.version)
    changes = data.model_dump(exclude_unset=True)
    for name, channel in (("email", Channel.email), ("url", Channel.webhook)):
        if name in changes and subscription.channel != channel:
            raise _invalid(f"body.{name}", f"not used by channel {subscription.channel}")
        if name in changes and changes[name] is None:
            raise _invalid(f"body.{name}", "cannot be removed")
    if changes.get("url") is not None:
        await _check_url(session, changes["url"])
    if "kinds" in changes and changes["kinds"] == []:
        raise _invalid("body.kinds", "use null for all kinds")
    for name, value in changes.items():
        setattr(subscription, name, value)
    if changes.get("active") is True:
        subscription.disabled_reason = None
    subscription.version += 1
    subscription.updated_at = clock.now()
    await session.flush()
    return subscription


async def delete(*, session: AsyncSession, subscription_id: UUID, caller: Principal) -> None:
    """Alerts already sent keep their log; the subscription stops matching."""
    subscription = await get(
        session=session, subscription_id=subscription_id, caller=caller, lock=True
    )
    await session.delete(subscription)
    await session.flush()


async def disable(
    *, session: AsyncSession, subscription_id: UUID, reason: str, now: datetime
) -> None:
    """The receiver answered 410 Gone: it wants no more until someone enables it again."""
    await session.exec(
        update_rows(Subscription)
        .where(col(Subscription.id) == subscription_id)
        .values(
            active=False, disabled_reason=reason, updated_at=now, version=Subscription.version + 1
        )
    )
