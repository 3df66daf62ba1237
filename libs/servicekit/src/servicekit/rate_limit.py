"""Per-client rate limits, shared by every replica of a service through its PostgreSQL database.

Two uses: every service limits reads without a valid bearer token (``AnonymousReadLimit``,
installed by ``build_app``), and a route opts into a limit of its own with
``Depends(rate_limited("<setting>"))`` (greenmine-api's public complaints). A refusal is a 429
problem+json with ``Retry-After``, counted in ``rate_limited_total``.

The algorithm is GCRA (the generic cell rate algorithm): a limit of ``n`` per ``p`` seconds lets
one request through every ``t = p / n`` seconds, with bursts of up to ``n``. Its whole state per
(limit, client) is one number, the theoretical arrival time ``tat`` (table ``rate_limits``). A
request at ``now`` is allowed when ``max(tat, now) + t - now <= p``, and then stores
``tat = max(tat, now) + t``; a refused request changes nothing and may retry after
``tat + t - p - now`` seconds. Each request is one statement, one round trip: an upsert whose
``ON CONFLICT ... DO UPDATE ... WHERE`` holds the row lock while it decides, so two replicas
counting the same client at once never both take the last slot. ``now`` is the database's clock,
the one clock all replicas share. Measured against the in-memory sliding window it replaced:
see the README's design decisions.

When the database does not answer, the request is let through (and logged): the limit keeps
floods away from the database, and a request that then needs the database meets the outage
itself, answered 503 as any other.

The client is the peer address of the connection. Behind the production reverse proxy uvicorn
(``--proxy-headers``) replaces it with the ``X-Forwarded-For`` address only when the peer is in
``FORWARDED_ALLOW_IPS``; any other client's forwarded headers are ignored, so they cannot be
used to pose as a new client.
"""

import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
from fastapi import Request
from limits import RateLimitItem, parse
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.auth import Authenticator
from servicekit.errors import ProblemError, Unauthorized, problem_doc, problem_response
from servicekit.metrics import ServiceMetrics
from servicekit.read_connections import CannotConnect, ReadConnections

log = logging.getLogger("servicekit.rate_limit")
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

# $1 limit, $2 client, $3 emission interval t, $4 period p (seconds). The CTE's SELECT of the
# row sees it as it was before this statement: on a refusal, the tat that refused it.
HIT = """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now),
hit AS (
    INSERT INTO rate_limits AS r (name, client, tat)
    SELECT $1, $2, now + $3 FROM clock
    ON CONFLICT (name, client) DO UPDATE
        SET tat = greatest(r.tat, (SELECT now FROM clock)) + $3
        WHERE greatest(r.tat, (SELECT now FROM clock)) + $3 - (SELECT now FROM clock) <= $4
    RETURNING tat
)
SELECT EXISTS (SELECT FROM hit),
       (SELECT tat FROM rate_limits WHERE name = $1 AND client = $2) + $3 - $4
           - (SELECT now FROM clock)
"""
PURGE = "DELETE FROM rate_limits WHERE tat < extract(epoch FROM clock_timestamp())"


class TooManyRequests(ProblemError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class RateLimiter:
    """GCRA per (limit, client), its state in the service's database (see the module's doc)."""

    def __init__(self, connections: ReadConnections, metrics: ServiceMetrics) -> None:
        self._connections = connections
        self._items: dict[str, RateLimitItem] = {}
        self.metrics = metrics

    async def hit(self, name: str, rate: str, client: str) -> None:
        """Count one request of ``client`` against ``rate``; TooManyRequests when over it."""
        item = self._items.get(rate) or self._items.setdefault(rate, parse(rate))
        period = float(item.get_expiry())
        try:
            async with self._connections.connection() as conn:
                allowed, wait = await conn.fetchrow(HIT, name, client, period / item.amount, period)
        except (CannotConnect, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("rate limit %s not counted, database unavailable: %s", name, exc)
            return
        if allowed:
            return
        self.metrics.rate_limited.labels(name).inc()
        raise TooManyRequests(
            f"At most {item.amount} per {item.get_expiry()} s from one client.",
            headers={"Retry-After": str(max(1, math.ceil(wait or 0)))},
        )


async def purge_expired(connections: ReadConnections) -> None:
    """Forget clients whose tat has passed: for GCRA that is the same as never having seen them."""
    async with connections.connection() as conn:
        await conn.execute(PURGE)


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
