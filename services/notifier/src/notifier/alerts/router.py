"""HTTP for alerts: the caller's inbox (and its event stream), and the delivery admin."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from servicekit.deps import Admin, Anyone, Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page
from sse_starlette.sse import EventSourceResponse

from notifier.alerts import service
from notifier.alerts.models import AlertStatus
from notifier.alerts.schemas import AlertFilter, AlertPublic, AttemptPublic, InboxItem

inbox_router = APIRouter(prefix="/inbox", tags=["inbox 消息"])
admin_router = APIRouter(prefix="/alerts", tags=["alerts 提醒与投递"])
NOT_IN_INBOX = {404: problem_doc("Not in your inbox")}
NO_ALERT = {404: problem_doc("No such alert")}
NOT_RESENT = {
    **NO_ALERT,
    409: problem_doc("Inbox alert, already queued, or the subscription is disabled"),
}


@inbox_router.get("", summary="My inbox 我的消息")
async def read_inbox(
    session: Session, caller: Anyone, page: Paging, unread: bool = False
) -> Page[InboxItem]:
    """The caller's in-app alerts, newest first (what the mobile inspection apps read). Alerts reach
    an inbox through an `inbox` subscription for the caller.
    """
    rows = await service.inbox(session=session, user=caller.subject, page=page, unread=unread)
    return rows.shaped(InboxItem)


@inbox_router.post("/{alert_id}/read", summary="Mark read 标记已读", responses=NOT_IN_INBOX)
async def mark_read(alert_id: int, session: Session, caller: Anyone) -> InboxItem:
    """Idempotent. Another user's alert is 404."""
    alert = await service.mark_read(session=session, user=caller.subject, alert_id=alert_id)
    return InboxItem.model_validate(alert)


@inbox_router.get(
    "/stream",
    summary="Stream of new alerts 新消息推送 (SSE)",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The event stream"},
    },
)
async def stream_inbox(
    request: Request,
    caller: Anyone,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    # no request session here: the stream is long-lived, each look is its own short read
    """Server-sent events: one `alert` event (JSON: an inbox item) per new alert in the caller's
    inbox. Resumes after `Last-Event-ID` when the client reconnects; otherwise starts with alerts
    arriving from now on.
    """
    runtime = request.app.state.runtime
    interval = request.app.state.settings.inbox_poll_seconds

    async def events() -> AsyncIterator[dict]:
        after = last_event_id
        if after is None:
            async with runtime.db.transaction() as session:
                after = await service.latest_inbox_id(session=session, user=caller.subject)
        while not await request.is_disconnected():
            async with runtime.db.transaction() as session:
                rows = await service.inbox_since(
                    session=session, user=caller.subject, after_id=after
                )
            for alert in rows:
                after = alert.id
                yield {
                    "event": "alert",
                    "id": str(alert.id),
                    "data": json.dumps(
                        InboxItem.model_validate(alert).model_dump(mode="json"), ensure_ascii=False
                    ),
                }
            await asyncio.sleep(interval)

    return EventSourceResponse(events(), ping=15)


@admin_router.get("", summary="Alerts by deadline or recipient 提醒记录")
async def list_alerts(
    session: Session, _: Admin, page: Paging, filters: Annotated[AlertFilter, Query()]
) -> Page[AlertPublic]:
    """Every alert with its delivery state, filtered by deadline, subscription, recipient (the
    e-mail address, endpoint URL or inbox user it went to) or status.
    """
    rows = await service.list_alerts(session=session, page=page, filters=filters)
    return rows.shaped(AlertPublic)


@admin_router.get("/dead-letters", summary="Dead letters of deliveries 投递失败")
async def dead_letters(session: Session, _: Admin, page: Paging) -> Page[AlertPublic]:
    """Alerts given up on: attempts exhausted, endpoint gone (410), destination refused,
    subscription disabled. `POST /alerts/{id}/resend` queues one again.
    """
    dead = AlertFilter(status=AlertStatus.dead)
    rows = await service.list_alerts(session=session, page=page, filters=dead)
    return rows.shaped(AlertPublic)


@admin_router.get("/{alert_id}", summary="An alert 提醒详情", responses=NO_ALERT)
async def get_alert(alert_id: int, session: Session, _: Admin) -> AlertPublic:
    """One alert: its deadline, step, channel, recipient and delivery state."""
    return AlertPublic.model_validate(await service.get_alert(session=session, alert_id=alert_id))


@admin_router.get("/{alert_id}/attempts", summary="Delivery attempts 投递日志", responses=NO_ALERT)
async def list_attempts(
    alert_id: int, session: Session, _: Admin, page: Paging
) -> Page[AttemptPublic]:
    """Every attempt at delivering the alert, in order."""
    rows = await service.attempts(session=session, alert_id=alert_id, page=page)
    return rows.shaped(AttemptPublic)


@admin_router.post("/{alert_id}/resend", summary="Resend an alert 重新投递", responses=NOT_RESENT)
async def resend(alert_id: int, session: Session, _: Admin) -> AlertPublic:
    """Queues a delivered or dead alert for delivery again, with a fresh retry budget. The
    webhook-id stays the same, so a receiver that already has it may drop it.
    """
    return AlertPublic.model_validate(await service.resend(session=session, alert_id=alert_id))
