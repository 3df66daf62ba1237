"""``rights.*`` events → the read model. Registered first by every service that keeps it.

A grant brings the whole right; every other event is news about one aspect of it: the event
time it happened at, and the columns it sets."""

from collections.abc import Callable
from typing import Any

from contracts.rights import (
    MineClosed,
    MortgageReleased,
    RightChanged,
    RightExpired,
    RightGranted,
    RightMortgaged,
    RightNews,
    RightPolicyClosed,
    RightRenewed,
    RightResumed,
    RightRevoked,
    RightStatusChanged,
    RightSuspended,
    RightTransferred,
)
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from mining_rights import service

handlers = Handlers()


@handlers.on(RightGranted)
async def right_granted(session: AsyncSession, event: CloudEvent, payload: RightGranted) -> None:
    await service.record_grant(session, payload)


NEWS: dict[type[RightNews], tuple[str, Callable[[Any], dict[str, Any]]]] = {
    RightRenewed: ("renewed_at", lambda p: {"valid_from": p.valid_from, "valid_to": p.valid_to}),
    RightTransferred: (
        "transferred_at",
        lambda p: {"holder_id": p.to_holder_id, "holder_name": p.to_holder_name},
    ),
    RightChanged: (
        "changed_at",
        lambda p: {
            "mine_name": p.mine_name,
            "method": p.method.value if p.method else None,
            **service.scale_columns(p.scale),
        },
    ),
    RightSuspended: ("suspended_at", lambda p: {"status": "suspended"}),
    RightStatusChanged: ("changed_at", lambda p: {"status": p.to_status.value}),
    MineClosed: ("closed_at", lambda p: {"status": p.status.value, "closed_at": p.closed_at}),
    # the bureau's own actions (issue 17): a resumption, and the endings that lead to closure
    RightResumed: ("resumed_at", lambda p: {"status": p.to_status.value}),
    RightRevoked: ("ended_at", lambda p: {"status": p.status.value}),
    RightPolicyClosed: ("ended_at", lambda p: {"status": p.status.value}),
    RightExpired: ("ended_at", lambda p: {"status": p.status.value}),
    # a mortgage changes no column kept here; the version still moves on
    RightMortgaged: ("filed_at", lambda p: {}),
    MortgageReleased: ("released_at", lambda p: {}),
}


def _news_handler(
    at: str, columns: Callable[[Any], dict[str, Any]]
) -> Callable[[AsyncSession, CloudEvent, Any], Any]:
    async def handle(session: AsyncSession, event: CloudEvent, payload: Any) -> None:
        await service.record_news(
            session,
            payload.right_id,
            version=payload.right_version,
            at=getattr(payload, at),
            values=columns(payload),
        )

    return handle


for _payload, (_at, _columns) in NEWS.items():
    handlers.on(_payload)(_news_handler(_at, _columns))
