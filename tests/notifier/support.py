"""Helpers for notifier tests: events as records, the sweep with an explicit clock, a webhook
receiver and an SMTP server that are real servers on 127.0.0.1."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import uuid4

import uvicorn
from aiosmtpd.controller import Controller
from contracts import Audience, Deadline, EventPayload
from devkit.ports import free_port
from devkit.testing import RunningService
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HOLDER = "3f6b2a0e-6c1d-4f7a-9a51-2f3c9d8e1a06"  # 二连浩特市先锋水泥制品有限公司 (专栏一 No. 6)
OTHER_HOLDER = "7d0c8d55-0f3e-4a77-8f43-5b7f0a1c2e99"
RIGHT = "b2f4c1de-8a1e-4c55-9a3e-1f0f4b1f2a10"
SOURCES = {
    "rights": "/services/rights",
    "restoration": "/services/restoration",
    "greenmine": "/services/greenmine",
}


def deadline(
    id: str = "filing:2026:annual_mining_plan:b2f4",
    *,
    kind: str = "annual_mining_plan",
    due: date = date(2026, 10, 10),
    action: str = "set",
    subject: str = RIGHT,
    holder_id: str | None = HOLDER,
    role: str | None = None,
    title: str = "二连浩特市乌希根楚二号建筑用花岗岩矿 2027年度采掘计划报送",
) -> Deadline:
    return Deadline(
        id=id,
        kind=kind,
        action=action,
        due_at=due,
        subject=subject,
        audience=Audience(holder_id=holder_id, role=role),
        title_zh=title,
    )


def event_of(payload: EventPayload, *, subject: str | None = RIGHT) -> CloudEvent:
    service = payload.event_type.split(".")[0]
    return CloudEvent(
        type=payload.event_type,
        source=SOURCES[service],
        data=payload.model_dump(mode="json"),
        subject=subject,
    )


def record_of(payload: EventPayload, *, subject: str | None = RIGHT) -> Record:
    event = event_of(payload, subject=subject)
    return Record(
        payload.topic,
        (subject or "k").encode(),
        event.value(),
        tuple((k, v.encode()) for k, v in event.headers()),
    )


async def consume(notifier: RunningService, *payloads: EventPayload) -> None:
    consumer = notifier.runtime.consumers["notifier"]
    for payload in payloads:
        outcome = await consumer.process(record_of(payload))
        assert outcome.status == "applied", outcome


async def sweep(notifier: RunningService, now: datetime) -> int | None:
    return await notifier.runtime.run_job("reminder-sweep", now=now)


async def sql(service: RunningService, query: str, **params) -> list:
    async with service.runtime.db.transaction() as session:
        return list((await session.exec(text(query).bindparams(**params))).all())


async def subscribe(
    notifier: RunningService, as_role: Role = Role.bureau_admin, claims=None, **body
) -> dict:
    body.setdefault("name", "测试接收人")
    response = await notifier.client.post(
        "/subscriptions", json=body, headers=notifier.auth(as_role, **(claims or {}))
    )
    assert response.status_code == 201, response.text
    return response.json()


async def alerts(notifier: RunningService, **params) -> list[dict]:
    response = await notifier.client.get(
        "/alerts", params={"limit": 200, **params}, headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


@contextlib.asynccontextmanager
async def serving(app, port: int | None = None):
    """``app`` served by uvicorn on 127.0.0.1 (a real socket: streams and redirects as sent)."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A receiving system: records every request; answers with ``statuses`` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    redirected: list[Received] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.received.append(Received(dict(request.headers), await request.body()))
            status = self.statuses.pop(0) if self.statuses else 200
            if status in (301, 302, 307, 308):
                return Response(status_code=status, headers={"location": "/elsewhere"})
            return Response(status_code=status)

        async def elsewhere(request: Request) -> Response:
            self.redirected.append(Received(dict(request.headers), await request.body()))
            return Response(status_code=200)

        return Starlette(
            routes=[
                Route("/hook", hook, methods=["POST"]),
                Route("/elsewhere", elsewhere, methods=["POST", "GET"]),
            ]
        )


class Mailbox:
    """aiosmtpd handler: keeps every message the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@contextlib.contextmanager
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


def new_id() -> str:
    return uuid4().hex[:8]
