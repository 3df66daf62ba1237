"""Conditional GETs for answers built from the database: ``ETag``, ``Cache-Control`` and
``Vary`` on the answer, and ``304 Not Modified`` without running the query that builds it.

A route declares what its answer depends on, as a parameter after its caller's (so a refused
caller is refused before anything is compared):

    ZonesCache = Annotated[None, cached("plan_editions", by_day=True)]

    async def zones(session: Session, _: Visitor, cache: ZonesCache) -> Response: ...

The validator is the stamp of the named tables (``servicekit.change_stamps``: it changes with
every committed write to them) with everything else that selects the body: the path, the query
string, the service and its version, the caller's roles and holder or organisation when the
body differs by caller (``by_caller``), the local day when "today" picks it (``by_day``), and
the request headers named in ``vary``. The stamp is read on the request's own session, before
the body, so on one server and one connection: a write landing in between makes the ETag older
than the body (the next conditional request gets a 200), never newer.

ETags are weak (``W/``): they name the content, not its bytes, so a proxy's gzip keeps them
valid. ``If-None-Match`` takes a list; ``*`` (any current answer) is honoured after the body,
since only the body's query knows whether the object exists.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Header, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit import change_stamps, clock
from servicekit.auth import Principal

STATE_KEY = "http_cache"


@dataclass(frozen=True)
class Caching:
    etag: str
    cache_control: str
    vary: str

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Cache-Control": self.cache_control}
        if self.vary:
            headers["Vary"] = self.vary
        return headers


class NotModified(Exception):
    def __init__(self, caching: Caching) -> None:
        super().__init__("not modified")
        self.caching = caching


IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="ETags you hold 已缓存的 ETag (comma-separated, or `*`): 304 with no body "
        "when the answer would be the same.",
        examples=['W/"5d41402abc4b2a76b9719d911017c592"'],
    ),
]


def cached(
    *tables: str, by_caller: bool = False, by_day: bool = False, vary: Sequence[str] = ()
) -> Any:
    """A dependency making a GET conditional: its answer is built from ``tables`` only."""
    if not tables:
        raise ValueError("a cached answer names the tables it is built from")

    async def conditional_get(request: Request, if_none_match: IfNoneMatch = None) -> None:
        principal = _caller(request) if by_caller else None
        session = request.scope["state"]["uow"].get_session()
        stamp = await change_stamps.read(session, tables)
        parts = [
            request.app.title,
            request.app.version,
            request.url.path,
            repr(sorted(parse_qsl(request.url.query, keep_blank_values=True))),
            repr(sorted(tables)),
            str(stamp),
            *(f"{name}={request.headers.get(name, '')}" for name in vary),
        ]
        if by_caller:
            parts.append(_scope_of(principal))
        if by_day:
            parts.append(clock.local_today().isoformat())
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        private = by_caller and principal is not None
        max_age = request.app.state.settings.http_cache_max_age_seconds
        caching = Caching(
            etag=f'W/"{digest}"',
            cache_control="private, no-cache"
            if private
            else (f"public, max-age={max_age}" if max_age else "public, no-cache"),
            vary=", ".join([*vary, *(["Authorization"] if by_caller else [])]),
        )
        if if_none_match is not None and caching.etag in _tags(if_none_match):
            raise NotModified(caching)
        request.scope["state"][STATE_KEY] = caching

    conditional_get.cached_tables = tables  # type: ignore[attr-defined]  # for openapi
    return Depends(conditional_get)


def _caller(request: Request) -> Principal | None:
    """The caller the route's own dependencies (declared first) verified, or None."""
    return request.scope.get("state", {}).get("principal")


def _scope_of(principal: Principal | None) -> str:
    if principal is None:
        return "public"
    roles = ",".join(sorted(r.value for r in principal.roles))
    return f"{roles}|{principal.own_holder or ''}|{principal.own_org or ''}"


def _tags(if_none_match: str) -> set[str]:
    """The tags of an If-None-Match list, compared weakly (RFC 9110 13.1.2)."""
    return {f"W/{t.strip().removeprefix('W/')}" for t in if_none_match.split(",") if t.strip()}


def is_conditional(calls: set[Any]) -> bool:
    """Whether a route with these dependency callables declared ``cached``."""
    return any(hasattr(call, "cached_tables") for call in calls)


RESPONSE_HEADERS = {
    "ETag": {
        "description": "Weak validator of this answer 实体标签: send it back in `If-None-Match`.",
        "schema": {"type": "string"},
        "example": 'W/"5d41402abc4b2a76b9719d911017c592"',
    },
    "Cache-Control": {
        "description": "`public, max-age=…` for an answer the same for every anonymous reader; "
        "`private, no-cache` when the caller's token shapes it 缓存策略.",
        "schema": {"type": "string"},
    },
    "Vary": {
        "description": "Request headers that select the answer (e.g. `Authorization`).",
        "schema": {"type": "string"},
    },
}


def document(operation: dict[str, Any]) -> None:
    """The 304 and the caching headers in a conditional GET's OpenAPI operation."""
    responses = operation["responses"]
    if "200" in responses:
        responses["200"].setdefault("headers", {}).update(RESPONSE_HEADERS)
    responses.setdefault(
        "304",
        {
            "description": "Not modified 未变化: the `If-None-Match` ETag is current; no body.",
            "headers": RESPONSE_HEADERS,
        },
    )


async def not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers=exc.caching.headers())


class ConditionalGetMiddleware:
    """Puts a cached route's headers on its 2xx answer, and turns the answer into a 304 when
    the client sent ``If-None-Match: *``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        star = any(
            name == b"if-none-match" and value.strip() == b"*"
            for name, value in scope.get("headers", [])
        )
        swallow = False

        async def send_with_headers(message: Message) -> None:
            nonlocal swallow
            if message["type"] == "http.response.start":
                caching: Caching | None = scope.get("state", {}).get(STATE_KEY)
                if caching is not None and 200 <= message["status"] < 300:
                    headers = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"etag", b"cache-control", b"vary")
                    ]
                    headers += [
                        (k.lower().encode(), v.encode()) for k, v in caching.headers().items()
                    ]
                    if star:
                        swallow = True
                        headers = [
                            (k, v)
                            for k, v in headers
                            if k not in (b"content-length", b"content-type")
                        ]
                        message = {**message, "status": 304, "headers": headers}
                    else:
                        message = {**message, "headers": headers}
            elif swallow:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
