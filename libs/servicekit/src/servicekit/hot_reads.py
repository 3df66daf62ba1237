"""Hot reads: the few GETs other systems call far more often than anything else (a right by
its id), served by a plain handler on a plain asyncpg connection instead of FastAPI's router,
dependency solving, ORM session and response model, which cost several times the query itself.

A hot read only ever *serves the success case*: a caller whose bearer token verified (the
anonymous-read limit, outside, verified it and left the principal in the scope), who holds a role
the route's ``require`` allows, asking for an object the handler finds and the caller may see.
For anything else the handler returns None and the request goes on to the FastAPI route of the
same path, which stays what the OpenAPI documents and which gives every refusal (401, 403, 404,
422) exactly as before. So a hot read cannot refuse differently from its route, and a test
compares the two answer by answer (tests/servicekit/test_hot_reads.py).

What stays the same for a hot read: the request id, traceparent, access log line and latency
metric (RequestContextMiddleware, outside), the rate limit for anonymous reads (it never gets
here), the read-only connection (the pool's connections are read-only on the server too).
"""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.auth import Principal, Role
from servicekit.db import Database
from servicekit.errors import is_connection_error
from servicekit.request_checks import dependants

# (connection, the caller, the path parameter as sent) -> the answer, or None: let the route
Handler = Callable[[asyncpg.Connection, Principal, str], Awaitable[Response | None]]


@dataclass(frozen=True)
class HotRead:
    path: str  # the path of the GET route it serves, with one parameter: "/rights/{right_id}"
    handler: Handler


@dataclass(frozen=True)
class _Bound:
    pattern: re.Pattern[str]
    roles: tuple[Role, ...]
    route: APIRoute  # in the scope, as the router would have put it: the metric's route label
    handler: Handler


def bind(app: FastAPI, reads: Sequence[HotRead]) -> list[_Bound]:
    """Each hot read with its route: the path's pattern and the roles its ``require`` allows.
    A hot read without a GET route, or a route without a role check, is a programming error."""
    contexts = list(iter_route_contexts(app.routes))
    bound = []
    for read in reads:
        context = next(
            (
                c
                for c in contexts
                if isinstance(c.original_route, APIRoute)
                and c.path == read.path
                and "GET" in c.original_route.methods
            ),
            None,
        )
        if context is None:
            raise ValueError(f"hot read {read.path}: no GET route serves that path")
        route = context.original_route
        roles = next(
            (
                d.call.allowed_roles  # type: ignore[union-attr]
                for d in dependants(route.dependant)
                if hasattr(d.call, "allowed_roles")
            ),
            None,
        )
        if roles is None:
            raise ValueError(f"hot read {read.path}: its route checks no role")
        pattern, _, _ = compile_path(context.path)
        bound.append(_Bound(pattern, roles, route, read.handler))
    return bound


class HotReadsMiddleware:
    def __init__(self, app: ASGIApp, *, reads: list[_Bound], db: Database) -> None:
        self.app, self.reads, self.db = app, reads, db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = await self._serve(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope) -> Response | None:
        principal: Principal | None = scope.get("state", {}).get("principal")
        if principal is None:
            return None
        for read in self.reads:
            match = read.pattern.fullmatch(scope["path"])
            if match is None:
                continue
            if not principal.has(*read.roles):
                return None
            scope["route"] = read.route
            return await self._run(read.handler, principal, match.group(1))
        return None

    async def _run(self, handler: Handler, principal: Principal, value: str) -> Response | None:
        try:
            async with self.db.hot_reads.connection() as conn:
                return await handler(conn, principal, value)
        except Exception as exc:
            if not _connection_lost(exc):
                raise
        # a read is safe to run again: once, on a new connection (after a failover every idle
        # one is as dead as the first)
        async with self.db.hot_reads.connection(fresh=True) as conn:
            return await handler(conn, principal, value)


def _connection_lost(exc: Exception) -> bool:
    """A connection the server ended (failover, pg_terminate_backend) while it sat idle fails
    when next used, and how depends on how much of the server's goodbye asyncpg had read: a
    connection error, or a client error about the connection's state."""
    return is_connection_error(exc) or isinstance(
        exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)
    )
