"""The request's transaction: commit before the response leaves, roll back on any error.

A pure ASGI middleware rather than a ``yield`` dependency, so the commit happens before the
client sees the response (a failed commit becomes a problem response, not a lost 201) and so the
Idempotency-Key claim (an advisory lock) and record live in the very same transaction as the
request's changes.
"""

import logging

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit import idempotency
from servicekit.db import Database
from servicekit.errors import (
    Conflict,
    InternalError,
    ProblemError,
    ServiceUnavailable,
    Unprocessable,
    is_connection_error,
    is_data_error,
    null_refused,
    problem_response,
)
from servicekit.request_transaction import UnitOfWork

log = logging.getLogger("servicekit.unit_of_work")


READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncSession:
    """FastAPI dependency: the request's session. Routes and services never commit.
    ``async`` so FastAPI calls it on the event loop, not through a worker thread."""
    return request.scope["state"]["uow"].get_session()


async def get_read_session(request: Request) -> AsyncSession:
    """FastAPI dependency for a POST route that only reads: the read-only pool, as a GET gets,
    so the server itself refuses any write and no transaction is begun and committed."""
    return request.scope["state"]["uow"].get_read_session()


class UnitOfWorkMiddleware:
    def __init__(self, app: ASGIApp, *, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        uow = UnitOfWork(self.db, read_only=scope["method"] in READ_METHODS)
        scope.setdefault("state", {})["uow"] = uow
        try:
            if idempotency.applies(scope):
                receive, early = await idempotency.begin(uow, scope, receive)
                if early is not None:
                    await uow.close()  # the claim's lock is not held while answering
                    await early(scope, receive, send)
                    return
            await self._run(uow, scope, receive, send)
        finally:
            await uow.close()

    async def _run(self, uow: UnitOfWork, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffered_send(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
            elif message["type"] == "http.response.start":
                if uow.session is None and uow.claim is None:
                    passthrough = True  # e.g. an event stream: nothing to commit, don't buffer
                    await send(message)
                else:
                    start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    assert start is not None
                    await self._finish(uow, start, b"".join(chunks), send)

        try:
            await self.app(scope, receive, buffered_send)
        except BaseException:
            if uow.session is not None:
                await uow.session.rollback()  # and with it the claim: a retry may run
            raise

    async def _finish(self, uow: UnitOfWork, start: Message, body: bytes, send: Send) -> None:
        status: int = start["status"]
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        if status < 400:
            try:
                if uow.claim is not None:
                    await idempotency.complete(uow.get_session(), uow.claim, status, headers, body)
                if uow.session is not None:
                    await uow.session.commit()
            except Exception as exc:  # the commit failed: the client must not see success
                await uow.get_session().rollback()  # no record either: a retry may run
                status, headers, body = _commit_failure(exc)
        else:
            if uow.session is not None:
                await uow.session.rollback()
            # 5xx and 429 say "try again later": no record, so a retry runs. A refusal is an
            # answer too: the same request gets it again.
            if uow.claim is not None and status < 500 and status != 429:
                await idempotency.complete_refusal(self.db, uow.claim, status, headers, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _commit_failure(exc: Exception) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    error: ProblemError
    if isinstance(exc, IntegrityError):
        error = null_refused(exc) or Conflict(title="Conflicts with data written meanwhile")
    elif is_connection_error(exc):
        error = ServiceUnavailable(title="The database is unreachable")
    elif is_data_error(exc):
        log.warning("commit refused a value: %s", exc)
        error = Unprocessable("A value in the request cannot be stored.")
    else:
        log.exception("commit failed")
        error = InternalError()
    response = problem_response(error.status, error.problem())
    return error.status, list(response.raw_headers), bytes(response.body)
