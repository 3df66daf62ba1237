"""Per-client rate limits, counted in this replica's memory.

Two uses: every service limits reads without a valid bearer token (``AnonymousReadLimit``,
installed by ``build_app``), and a route opts into a limit of its own with
``Depends(rate_limited("<setting>"))`` (greenmine-api's public complaints). A refusal is a 429
problem+json with ``Retry-After``, counted in ``rate_limited_total``.

The counters live in memory, not in PostgreSQL: a limit exists to keep floods away from the
database, and a shared counter would cost a write for every anonymous read. With N replicas a
client may therefore get up to N times the limit, depending on how the load balancer spreads it.

The client is the peer address of the connection. Behind the production reverse proxy uvicorn
(``--proxy-headers``) replaces it with the ``X-Forwarded-For`` address only when the peer is in
``FORWARDED_ALLOW_IPS``; any other client's forwarded headers are ignored, so they cannot be
used to pose as a new client.
"""

import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.auth import Authenticator
from servicekit.errors import ProblemError, Unauthorized, problem_doc, problem_response
from servicekit.metrics import ServiceMetrics

ANONYMOUS_READS = "anonymous_reads"
# probes of the orchestrator: never refused, whatever a misconfigured proxy makes them share
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until this client may try again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {**problem_doc("Too many requests from this client 请求过于频繁"), "headers": RETRY_AFTER}
}


class TooManyRequests(ProblemError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class RateLimiter:
    """Sliding-window counters per (limit, client) in memory; stale ones expire on their own."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._storage = MemoryStorage()
        self._window = SlidingWindowCounterRateLimiter(self._storage)
        self._items: dict[str, RateLimitItem] = {}
        self.metrics = metrics

    async def hit(self, name: str, rate: str, client: str) -> None:
        """Count one request of ``client`` against ``rate``; TooManyRequests when over it."""
        item = self._items.get(rate) or self._items.setdefault(rate, parse(rate))
        if await self._window.hit(item, name, client):
            return
        reset_at, _ = await self._window.get_window_stats(item, name, client)
        self.metrics.rate_limited.labels(name).inc()
        raise TooManyRequests(
            f"At most {item.amount} per {item.get_expiry()} s from one client.",
            headers={"Retry-After": str(max(1, math.ceil(reset_at - time.time())))},
        )


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def rate_limited(setting: str) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """Route dependency: the limit named by the service setting ``setting`` (e.g. ``3/minute``),
    counted per client. Declare ``RATE_LIMITED_RESPONSE`` in the route's ``responses``."""

    async def dependency(request: Request) -> None:
        rate = getattr(request.app.state.settings, setting)
        await request.app.state.runtime.limiter.hit(setting, rate, client_address(request.scope))

    return dependency


class AnonymousReadLimit:
    """GET and HEAD without a valid bearer token: ``rate`` per client. A caller whose token
    verifies is not counted (and the token is not verified twice); a bad or foreign token
    counts as anonymous, so it is no way around the limit."""

    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, authenticator: Authenticator, rate: str
    ) -> None:
        self.app, self.limiter, self.authenticator, self.rate = app, limiter, authenticator, rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"] not in UNLIMITED_PATHS
            and not await self._authenticated(scope)
        ):
            try:
                await self.limiter.hit(ANONYMOUS_READS, self.rate, client_address(scope))
            except TooManyRequests as refused:
                response = problem_response(429, refused.problem(scope["path"]), refused.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _authenticated(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        try:
            principal = await self.authenticator.authenticate(token.strip())
        except Unauthorized:
            return False
        scope.setdefault("state", {})["principal"] = principal  # optional_principal reuses it
        return True
