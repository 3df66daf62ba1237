"""The request's transaction: committed before the response leaves, rolled back on any error.

A small test-only service (the "probe") supplies what rights-api does not have: an endpoint that
writes and then raises, refuses or waits, a commit that fails, and streaming responses. Its
`notes` table is created per test next to the rights-api tables.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import rights_api.app
from devkit.inprocess import InProcessBroker
from devkit.testing import RunningService, running_service
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from servicekit.auth import Role
from servicekit.errors import PROBLEM_BASE, PROBLEM_JSON, ServiceUnavailable, Unprocessable
from servicekit.settings import ServiceSettings, service_config
from servicekit.spec import ServiceSpec
from servicekit.unit_of_work import get_read_session, get_session
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message

WAIT = 10  # seconds a probe endpoint waits for the test before giving up (only when a test fails)

# Per test database: `tag` is unique but checked only at commit, and the constraint trigger can
# make the commit itself fail or lose its connection, depending on the note's text.
NOTES_DDL = [
    """CREATE TABLE notes (
        id serial PRIMARY KEY,
        text text NOT NULL,
        tag int,
        CONSTRAINT notes_tag_unique UNIQUE (tag) DEFERRABLE INITIALLY DEFERRED
    )""",
    """CREATE FUNCTION notes_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text = 'fail at commit' THEN
            RAISE EXCEPTION 'refused at commit';
        ELSIF NEW.text = 'lose the connection at commit' THEN
            PERFORM pg_terminate_backend(pg_backend_pid());
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER notes_at_commit AFTER INSERT ON notes
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notes_at_commit()""",
]


@dataclass
class Controls:
    """What the probe's endpoints do; each test sets what it needs on ``app.state.controls``."""

    # what POST /notes does once the note is written: created | raise | unavailable | refuse |
    # return-409
    after_write: str = "created"
    gate: asyncio.Event | None = None  # when set, POST /notes waits for it after writing
    entered: asyncio.Event = field(default_factory=asyncio.Event)  # POST /notes has written
    executions: int = 0  # POST /notes and POST /echo bodies run
    chunk_seen: asyncio.Event = field(default_factory=asyncio.Event)  # set by the test's client


class NoteIn(BaseModel):
    text: str
    tag: int | None = None


Session = Annotated[AsyncSession, Depends(get_session)]
probe_router = APIRouter()


@probe_router.post("/notes", status_code=201)
async def write_note(
    note: NoteIn, request: Request, session: Session, response: Response
) -> dict[str, Any]:
    controls: Controls = request.app.state.controls
    controls.executions += 1
    note_id = (
        await session.exec(
            text("INSERT INTO notes (text, tag) VALUES (:text, :tag) RETURNING id").bindparams(
                text=note.text, tag=note.tag
            )
        )
    ).scalar_one()
    controls.entered.set()
    if controls.gate is not None:
        await asyncio.wait_for(controls.gate.wait(), WAIT)
    match controls.after_write:
        case "raise":
            raise RuntimeError("failed after writing")
        case "unavailable":
            raise ServiceUnavailable("failed after writing")
        case "refuse":
            raise Unprocessable("refused after writing")
        case "return-409":
            problem = {"type": PROBLEM_BASE + "conflict", "title": "Refused", "status": 409}
            return JSONResponse(problem, status_code=409, media_type=PROBLEM_JSON)
    response.headers["Location"] = f"/notes/{note_id}"
    return {"id": note_id, "text": note.text}


@probe_router.post("/echo")
async def echo(note: NoteIn, request: Request) -> dict[str, Any]:
    """Never touches the database."""
    request.app.state.controls.executions += 1
    return {"echo": note.text, "execution": request.app.state.controls.executions}


@probe_router.post("/dry-run")
async def dry_run(
    note: NoteIn, request: Request, session: Annotated[AsyncSession, Depends(get_read_session)]
) -> dict[str, Any]:
    """Only reads (as POST /applications/check does); says which kind of connection it got."""
    request.app.state.controls.executions += 1
    read_only = (await session.exec(text("SHOW transaction_read_only"))).scalar_one()
    return {"text": note.text, "read_only": read_only == "on"}


@probe_router.get("/stream")
async def stream(request: Request) -> StreamingResponse:
    """Never touches the database; makes each chunk only once the client has the previous one."""
    controls: Controls = request.app.state.controls

    async def chunks() -> AsyncIterator[bytes]:
        for n in range(3):
            yield f"chunk {n}\n".encode()
            await asyncio.wait_for(controls.chunk_seen.wait(), WAIT)
            controls.chunk_seen.clear()

    return StreamingResponse(chunks(), media_type="text/plain")


@probe_router.get("/notes/stream")
async def stream_notes(session: Session) -> StreamingResponse:
    rows = (await session.exec(text("SELECT text FROM notes ORDER BY id"))).scalars().all()

    async def lines() -> AsyncIterator[bytes]:
        for row in rows:
            yield f"{row}\n".encode()

    return StreamingResponse(lines(), media_type="text/plain")


class ProbeSettings(ServiceSettings):
    model_config = service_config("PROBE_")


PROBE = ServiceSpec(
    name="probe",
    title="probe",
    description="Test-only service exercising the unit of work and Idempotency-Key.",
    settings=ProbeSettings,
    package="tests.servicekit",
    migrations=Path(rights_api.app.__file__).resolve().parents[2] / "migrations" / "versions",
    port=8999,
    routers=[probe_router],
)


def client_for(app: ASGIApp, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """An in-process client that gets the 500 a crashing endpoint answers, not its exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@asynccontextmanager
async def running_probe(databases: Any, **settings: Any) -> AsyncIterator[RunningService]:
    url = await databases.create("rights")
    async with running_service(
        PROBE, database_url=url, broker=InProcessBroker(), background=False, **settings
    ) as service:
        async with service.runtime.db.transaction() as session:
            for statement in NOTES_DDL:
                await session.exec(text(statement))
        service.app.state.controls = Controls()
        async with client_for(service.app) as client:
            service.client = client
            yield service


async def sql(service: RunningService, statement: str, **params: Any) -> list[Any]:
    """Rows of ``statement``, read in a transaction of its own."""
    async with service.runtime.db.transaction() as session:
        result = await session.exec(text(statement).bindparams(**params))
        return list(result.all()) if result.returns_rows else []


async def count(service: RunningService, table: str) -> int:
    return (await sql(service, f"SELECT count(*) FROM {table}"))[0][0]


async def call_app(
    app: ASGIApp,
    method: str,
    path: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    body: Iterable[Message] = ({"type": "http.request", "body": b"", "more_body": False},),
    on_send: Callable[[Message], Awaitable[None]] | None = None,
) -> list[Message]:
    """One request straight through ASGI, seeing each message as the server would send it
    (httpx's ASGITransport hands over the response only once it is complete)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    incoming = list(body)
    finished = asyncio.Event()
    sent: list[Message] = []

    async def receive() -> Message:
        if incoming:
            return incoming.pop(0)
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if on_send is not None:
            await on_send(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            finished.set()

    await app(scope, receive, send)
    return sent


@pytest.fixture
async def probe(databases) -> AsyncIterator[RunningService]:
    async with running_probe(databases) as service:
        yield service


def assert_problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == PROBLEM_BASE + slug
    assert response.json()["status"] == status


async def test_the_change_is_committed_before_the_client_sees_the_response(probe):
    notes_when_the_response_started = []

    async def on_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            notes_when_the_response_started.append(await count(probe, "notes"))

    sent = await call_app(
        probe.app,
        "POST",
        "/notes",
        headers=[("content-type", "application/json")],
        body=[{"type": "http.request", "body": b'{"text": "hello"}', "more_body": False}],
        on_send=on_send,
    )
    assert sent[0]["status"] == 201
    assert notes_when_the_response_started == [1]


async def test_an_endpoint_that_writes_then_raises_answers_500_and_persists_nothing(probe):
    probe.app.state.controls.after_write = "raise"
    response = await probe.client.post("/notes", json={"text": "half done"})
    assert_problem(response, 500, "internal-error")
    assert probe.app.state.controls.executions == 1
    assert await count(probe, "notes") == 0


@pytest.mark.parametrize(
    ("after_write", "status", "slug"),
    [("refuse", 422, "unprocessable"), ("return-409", 409, "conflict")],
    ids=["raises-a-problem", "returns-a-4xx-response"],
)
async def test_an_endpoint_that_writes_then_refuses_persists_nothing(
    probe, after_write, status, slug
):
    probe.app.state.controls.after_write = after_write
    response = await probe.client.post("/notes", json={"text": "refused"})
    assert_problem(response, status, slug)
    assert probe.app.state.controls.executions == 1
    assert await count(probe, "notes") == 0


@pytest.mark.parametrize(
    ("note", "status", "slug"),
    [
        ({"text": "duplicate tag", "tag": 7}, 409, "conflict"),
        ({"text": "fail at commit"}, 500, "internal-error"),
        ({"text": "lose the connection at commit"}, 503, "service-unavailable"),
    ],
    ids=["integrity", "other-error", "connection-lost"],
)
async def test_a_failed_commit_is_a_problem_not_the_2xx_and_persists_nothing(
    probe, note, status, slug
):
    await sql(probe, "INSERT INTO notes (text, tag) VALUES ('already there', 7)")
    response = await probe.client.post("/notes", json=note)
    assert_problem(response, status, slug)
    assert "location" not in response.headers
    assert await sql(probe, "SELECT text FROM notes") == [("already there",)]


async def test_a_failed_commit_releases_the_idempotency_key_so_a_retry_executes(probe):
    await sql(probe, "INSERT INTO notes (text, tag) VALUES ('blocks tag 7', 7)")
    # an authenticated caller: the public's keys are not recorded
    key = {"Idempotency-Key": "commit-fails-once", **probe.auth(Role.bureau_admin)}
    note = {"text": "tagged", "tag": 7}

    failed = await probe.client.post("/notes", json=note, headers=key)
    assert_problem(failed, 409, "conflict")
    assert await count(probe, "idempotency_keys") == 0

    await sql(probe, "DELETE FROM notes")
    retried = await probe.client.post("/notes", json=note, headers=key)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert await sql(probe, "SELECT text, tag FROM notes") == [("tagged", 7)]
    assert await sql(probe, "SELECT status FROM idempotency_keys") == [(201,)]


async def test_a_get_that_never_touches_the_database_streams_unbuffered(probe):
    controls: Controls = probe.app.state.controls
    received: list[Message] = []

    async def client_reads(message: Message) -> None:
        received.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            controls.chunk_seen.set()  # the endpoint makes the next chunk only after this

    await call_app(probe.app, "GET", "/stream", on_send=client_reads)
    assert received[0]["type"] == "http.response.start"
    assert received[0]["status"] == 200
    chunks = [m["body"] for m in received[1:] if m.get("body")]
    assert chunks == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]
    assert received[-1]["more_body"] is False


async def test_a_streamed_response_that_read_the_database_arrives_intact(probe):
    for n in range(3):
        await sql(probe, "INSERT INTO notes (text) VALUES (:text)", text=f"note {n}")
    response = await probe.client.get("/notes/stream")
    assert response.status_code == 200
    assert response.text == "note 0\nnote 1\nnote 2\n"
