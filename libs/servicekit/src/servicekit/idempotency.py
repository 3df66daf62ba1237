"""``Idempotency-Key`` on POST: a retried request gets the first response, never a second effect.

The key is scoped to the caller (token subject, or the client address for the public). The row
is claimed in its own short transaction (so a concurrent duplicate sees it: 409) and completed
in the request's own transaction (see unit_of_work), so a crash leaves no half-done record.
"""

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.db import Database
from servicekit.errors import PROBLEM_BASE, Unauthorized, problem_response
from servicekit.tables import idempotency_keys as keys

if TYPE_CHECKING:
    from servicekit.unit_of_work import UnitOfWork

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255
LOCK = timedelta(minutes=5)  # an in-flight claim older than this was abandoned by a crash
REPLAYED_HEADERS = {b"content-type", b"location", b"etag"}
IN_FLIGHT, DONE = 0, 1


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str


class ClaimLost(Exception):
    """The key is no longer in flight: a retry took it over after this attempt's lock expired
    and completed (or released) it. Committing this attempt too would be a second effect."""


def applies(scope: Scope) -> bool:
    return scope["method"] == "POST" and any(k == HEADER for k, _ in scope["headers"])


async def begin(
    uow: "UnitOfWork", scope: Scope, receive: Receive
) -> tuple[Receive, ASGIApp | None]:
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
    fingerprint = hashlib.sha256(
        b"\n".join(
            [scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body]
        )
    ).hexdigest()
    claim = Claim(caller, key)
    answer = await _claim(
        uow.db, claim, fingerprint, scope["app"].state.settings.idempotency_retention_hours
    )
    if answer is None:
        uow.claim = claim
    return _replay_body(body), answer


async def _claim(
    db: Database, claim: Claim, fingerprint: str, retention_hours: int
) -> ASGIApp | None:
    async with db.transaction() as session:
        await session.exec(
            delete(keys).where(
                keys.c.scope == claim.scope,
                keys.c.key == claim.key,
                keys.c.created_at < func.now() - timedelta(hours=retention_hours),
            )
        )
        inserted = await session.exec(
            insert(keys)
            .values(
                scope=claim.scope,
                key=claim.key,
                fingerprint=fingerprint,
                state=IN_FLIGHT,
                locked_until=func.now() + LOCK,
            )
            .on_conflict_do_nothing()
            .returning(keys.c.key)
        )
        if inserted.first() is not None:
            return None
        row = (
            await session.exec(
                select(keys)
                .where(keys.c.scope == claim.scope, keys.c.key == claim.key)
                .with_for_update()
            )
        ).one_or_none()
        if row is None:  # released (a 5xx) or purged since our insert: busy a moment ago
            return _in_flight()
        if row.fingerprint != fingerprint:
            return _problem(
                422,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "This Idempotency-Key was already used with a different request.",
            )
        if row.state == DONE:
            return _stored_response(row.status, row.headers, row.body)
        taken_over = await session.exec(
            update(keys)
            .where(
                keys.c.scope == claim.scope,
                keys.c.key == claim.key,
                keys.c.locked_until < func.now(),
            )
            .values(locked_until=func.now() + LOCK)
            .returning(keys.c.key)
        )
        if taken_over.first() is not None:  # the first attempt died without committing anything
            return None
        return _in_flight()


async def complete(
    session: AsyncSession,
    claim: Claim,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> None:
    kept = {k.decode(): v.decode("latin-1") for k, v in headers if k in REPLAYED_HEADERS}
    result = await session.exec(
        update(keys)
        .where(keys.c.scope == claim.scope, keys.c.key == claim.key, keys.c.state == IN_FLIGHT)
        .values(state=DONE, status=status, headers=kept, body=body)
    )
    if result.rowcount != 1:
        raise ClaimLost(claim.key)


async def complete_alone(
    db: Database, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    async with db.transaction() as session:
        with contextlib.suppress(ClaimLost):  # this refusal changed nothing: no effect to guard
            await complete(session, claim, status, headers, body)


async def release(db: Database, claim: Claim) -> None:
    """Forget an in-flight claim whose request failed, so the client may retry."""
    async with db.transaction() as session:
        await session.exec(
            delete(keys).where(
                keys.c.scope == claim.scope, keys.c.key == claim.key, keys.c.state == IN_FLIGHT
            )
        )


async def purge_expired(db: Database, retention_hours: int) -> int:
    async with db.transaction() as session:
        result = await session.exec(
            delete(keys).where(keys.c.created_at < func.now() - timedelta(hours=retention_hours))
        )
        return result.rowcount


async def _caller(scope: Scope, headers: dict[bytes, bytes]) -> str:
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = await scope["app"].state.authenticator.authenticate(token.strip())
        scope.setdefault("state", {})["principal"] = principal
        return f"sub:{principal.subject}"
    client = scope.get("client")
    return f"anon:{client[0] if client else 'unknown'}"


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
