"""``Idempotency-Key`` on POST: a retried request gets the first response, never a second effect.

The key is scoped to the caller's token subject. Anonymous requests record nothing: a write
needs a token, so their keys would only keep refusals (one row per request, without bound). The
claim is a transaction-level advisory lock taken first thing in the request's own transaction,
and the record is written in that same transaction before it commits. Commit, rollback or a
dead connection (a process killed mid-request) releases the lock: there is no timer and no
claim left behind, so a retry after a crash runs at once, and a crash leaves no record.
"""

import hashlib
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, func, select, text
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.db import Database
from servicekit.errors import PROBLEM_BASE, Unauthorized, problem_response
from servicekit.request_transaction import Claim, UnitOfWork
from servicekit.tables import idempotency_keys as keys

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = {b"content-type", b"location", b"etag"}
# The claim. A client killed with its host, or cut off, closes no connection: PostgreSQL would
# hold its transaction, and the claim, until TCP keepalive gives up (hours by default). Ending
# this transaction when it sits idle for long bounds that, without a round trip of its own.
_TRY_LOCK = text(
    "SELECT pg_try_advisory_xact_lock(:key), "
    "set_config('idle_in_transaction_session_timeout', :idle_ms, true)"
)
_ANSWER = ("fingerprint", "status", "headers", "body", "created_at")  # what a new record sets


def applies(scope: Scope) -> bool:
    return scope["method"] == "POST" and any(k == HEADER for k, _ in scope["headers"])


async def begin(uow: UnitOfWork, scope: Scope, receive: Receive) -> tuple[Receive, ASGIApp | None]:
    """Claim the key. Returns the receive to use, and a response app when the answer is known."""
    headers = dict(scope["headers"])
    key = headers[HEADER].decode("latin-1").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return receive, _problem(
            400,
            "invalid-idempotency-key",
            "Invalid Idempotency-Key",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
        )
    body = await _read_body(receive)  # BodyLimitMiddleware, outside, bounds its size
    if body is None:  # the client left mid-body: claim nothing, so its retry runs afresh
        return receive, _no_answer
    try:
        caller = await _caller(scope, headers)
    except Unauthorized:
        return _replay_body(body), None  # the route refuses the token itself
    if caller is None:  # the public: the request runs unkeyed and writes no record
        return _replay_body(body), None
    fingerprint = hashlib.sha256(
        b"\n".join(
            [scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body]
        )
    ).hexdigest()
    settings = scope["app"].state.settings
    claim = Claim(
        caller,
        key,
        fingerprint,
        retention=timedelta(hours=settings.idempotency_retention_hours),
        idle=timedelta(seconds=settings.idempotency_idle_seconds),
    )
    # The claim needs a real transaction: the request's write session, whatever the route asks
    # for (a keyed dry run on get_read_session gets it too, so its answer is kept and replayed).
    answer = await _claim(uow.get_session(), claim)
    if answer is None:
        uow.claim = claim
    return _replay_body(body), answer


async def _claim(session: AsyncSession, claim: Claim) -> ASGIApp | None:
    """None when this request is to run; else the answer for it."""
    idle_ms = str(int(claim.idle.total_seconds() * 1000))
    lock = _TRY_LOCK.bindparams(key=claim.lock_key, idle_ms=idle_ms)
    locked, _ = (await session.exec(lock)).one()
    if not locked:  # another request with this key is running right now
        return _in_flight()
    # A statement of its own after the lock: under READ COMMITTED it sees whatever the request
    # that held the lock committed, since PostgreSQL releases the lock after the commit is visible.
    row = (
        await session.exec(
            select(keys.c.fingerprint, keys.c.status, keys.c.headers, keys.c.body).where(
                keys.c.scope == claim.scope,
                keys.c.key == claim.key,
                keys.c.created_at >= func.now() - claim.retention,
            )
        )
    ).one_or_none()
    if row is None:  # never used, or forgotten after the retention period
        return None
    if row.fingerprint != claim.fingerprint:
        return _problem(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was already used with a different request.",
        )
    return _stored_response(row.status, row.headers, row.body)


async def complete(
    session: AsyncSession,
    claim: Claim,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> None:
    """Record the answer in the request's transaction, under the claim's lock. A record still
    there is expired (the claim found none live) or a refusal stored meanwhile by an attempt
    that ran before this one (see complete_refusal): this answer, whose effect commits with it,
    replaces it."""
    await session.exec(_upsert(claim, status, headers, body))


async def complete_refusal(
    db: Database, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """Record a refusal, in a transaction of its own after the request's was rolled back (its
    lock with it). A refusal changed nothing, so a duplicate that takes the key in between and
    runs is harmless: it is no second effect. Should it have written its record first, that one
    is kept (only an expired record is replaced)."""
    expired = keys.c.created_at < func.now() - claim.retention
    async with db.transaction() as session:
        await session.exec(_upsert(claim, status, headers, body, only_if=expired))


def _upsert(
    claim: Claim,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    only_if: ColumnElement[bool] | None = None,
) -> Insert:
    kept = {k.decode(): v.decode("latin-1") for k, v in headers if k in REPLAYED_HEADERS}
    record = insert(keys).values(
        scope=claim.scope,
        key=claim.key,
        fingerprint=claim.fingerprint,
        status=status,
        headers=kept,
        body=body,
        created_at=func.now(),
    )
    new = record.excluded
    return record.on_conflict_do_update(
        index_elements=[keys.c.scope, keys.c.key],
        set_={name: new[name] for name in _ANSWER},
        where=only_if,
    )


async def purge_expired(db: Database, retention_hours: int) -> int:
    async with db.transaction() as session:
        result = await session.exec(
            delete(keys).where(keys.c.created_at < func.now() - timedelta(hours=retention_hours))
        )
        return result.rowcount


async def _caller(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = await scope["app"].state.authenticator.authenticate(token.strip())
        scope.setdefault("state", {})["principal"] = principal
        return f"sub:{principal.subject}"
    return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the client disconnected before sending all of it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _no_answer(scope: Scope, receive: Receive, send: Send) -> None:
    """The client is gone: there is nobody to answer."""


def _in_flight() -> ASGIApp:
    return _problem(
        409,
        "idempotency-key-in-flight",
        "Request in progress",
        "A request with this Idempotency-Key is still being processed.",
        {"retry-after": "1"},
    )


def _stored_response(status: int, headers: dict[str, str], body: bytes) -> ASGIApp:
    """The first answer again, marked as a replay."""
    raw = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    raw.append((b"idempotent-replayed", b"true"))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


def _problem(
    status: int, slug: str, title: str, detail: str, extra_headers: dict[str, str] | None = None
) -> ASGIApp:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    return problem_response(status, body, extra_headers)
