"""Runs one service's authorization matrix against a world of real objects.

Every operation in the service's OpenAPI document is called by each of the nine principals with
a request that would succeed for an allowed caller (real path parameters, valid bodies); the
outcome is compared with the matrix. A refused write must leave every table of the service as
it was (a fingerprint of each table's rows, taken before and after).
"""

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from devkit.testing import RunningService
from fastapi import FastAPI
from servicekit.auth import Role
from sqlalchemy import text

from tests.security.matrix import (
    ADMIN,
    ANON,
    ENT_A,
    ENT_B,
    EVAL_A,
    EVAL_B,
    GOV,
    INSPECTOR,
    OTHERS,
    PRINCIPALS,
    REVIEWER,
    Rule,
)

METHODS = ("get", "post", "put", "patch", "delete")
PROBLEM = "application/problem+json"


@dataclass
class Call:
    """One request. ``path`` fills the operation's path parameters over the world's own."""

    path: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict | None = None
    files: dict | None = None
    content: bytes | None = None  # a raw body (text/plain and the like)
    params: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None  # a raw body (a tus chunk)
    etag_from: str | None = None  # read (as an admin) for If-Match just before the call
    stream: bool = False  # an event stream: hang up once it has answered


# an operation's request: fixed, or made for each principal (a fresh object to act on, a body
# that must differ between callers)
CallSpec = Call | Callable[[str], Call | Awaitable[Call]]


@dataclass
class World:
    service: RunningService
    holder_a: str
    holder_b: str
    org_a: str = "org-a"
    org_b: str = "org-b"
    params: dict[str, str] = field(default_factory=dict)
    calls: dict[str, CallSpec] = field(default_factory=dict)
    # ids of each owner's (ENT_A's, EVAL_A's) objects: on a scoped list the owner finds some of
    # its own, and no other owner ever reads any of them
    secrets: dict[str, set[str]] = field(default_factory=dict)
    # query filters naming the owner's objects (holder_id, right_id...), which the other owner
    # tries on every list it may read
    filters: dict[str, str] = field(default_factory=dict)

    def headers(self, principal: str) -> dict[str, str]:
        if principal == ANON:
            return {}
        role, claims = {
            ADMIN: (Role.bureau_admin, {}),
            REVIEWER: (Role.bureau_reviewer, {}),
            INSPECTOR: (Role.inspector, {}),
            GOV: (Role.gov_system, {}),
            ENT_A: (Role.enterprise, {"holder_id": self.holder_a}),
            ENT_B: (Role.enterprise, {"holder_id": self.holder_b}),
            EVAL_A: (Role.evaluator, {"org_id": self.org_a}),
            EVAL_B: (Role.evaluator, {"org_id": self.org_b}),
        }[principal]
        return self.service.auth(role, subject=principal, **claims)


def operations(app: FastAPI) -> list[str]:
    """Every operation of the app's OpenAPI document, as ``"METHOD /path"``."""
    return [
        f"{method.upper()} {path}"
        for path, item in app.openapi()["paths"].items()
        for method in METHODS
        if method in item
    ]


def coverage(present: list[str], matrix: dict[str, Rule]) -> tuple[list[str], list[str]]:
    """Operations with no row, and rows with no operation (stale)."""
    return [op for op in present if op not in matrix], [op for op in matrix if op not in present]


async def fingerprint(service: RunningService) -> dict[str, str]:
    """A hash of every row of every table of the service's database."""
    async with service.runtime.db.transaction() as session:
        tables = (
            await session.exec(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version' ORDER BY tablename"
                )
            )
        ).scalars()
        query = " UNION ALL ".join(
            f"SELECT '{t}', md5(coalesce(string_agg(md5(x::text), ',' "
            f"ORDER BY md5(x::text)), '')) FROM \"{t}\" x"
            for t in tables
        )
        return dict((await session.exec(text(query))).all())


def _order(rule: Rule) -> list[str]:
    """Refused callers first (they must find the world untouched), then the owners, who may be
    the only ones able to take a step, then the rest of the allowed."""
    refused = [p for p in PRINCIPALS if rule.expected(p) is not None]
    owners = [p for p in (ENT_A, EVAL_A) if p in rule.allowed]
    rest = [p for p in PRINCIPALS if p in rule.allowed and p not in owners]
    return refused + owners + rest


async def _prepare(spec: CallSpec, principal: str) -> Call:
    call = spec if isinstance(spec, Call) else spec(principal)
    return await call if inspect.isawaitable(call) else call


async def _send(world: World, operation: str, principal: str, call: Call):
    method, template = operation.split(" ", 1)
    values = {**world.params, **call.path}
    path = template.format(**values)
    headers = {**world.headers(principal), **call.headers}
    client = world.service.client
    if call.etag_from:
        current = await client.get(call.etag_from.format(**values), headers=world.headers(ADMIN))
        assert current.status_code == 200, (call.etag_from, current.text)
        headers["If-Match"] = current.headers["ETag"]
    request = client.build_request(
        method,
        path,
        json=call.json,
        data=call.data,
        files=call.files,
        content=call.content,
        params=call.params,
        headers=headers,
    )
    if call.stream:
        response = await _open_stream(world.service.app, path, headers)
        return response, response.text
    response = await client.send(request)
    return response, response.text


async def _open_stream(app, path: str, headers: dict[str, str]) -> httpx.Response:
    """GET an event stream straight through ASGI and hang up once it has answered (the test
    client would wait for a stream that never ends)."""
    answered = asyncio.Event()
    start: dict = {}
    chunks: list[bytes] = []
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            answered.set()
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    return httpx.Response(
        start["status"],
        headers=[(k.decode(), v.decode()) for k, v in start["headers"]],
        content=b"".join(chunks),
    )


def _refusal_problem(response, expected: int) -> str | None:
    if response.headers.get("content-type", "").split(";")[0] != PROBLEM:
        return "not problem+json"
    if expected == 401 and not response.headers.get("www-authenticate", "").startswith("Bearer"):
        return "401 without WWW-Authenticate: Bearer"
    return None


def _scope_failures(world: World, principal: str, body: str, where: str) -> list[str]:
    if principal in OTHERS:
        every = set().union(*world.secrets.values())
        leaked = sorted(s for s in every if s in body)
        return [f"{where} shows the owners' objects {leaked}"] if leaked else []
    own = world.secrets.get(principal)
    if own and not any(s in body for s in own):
        return [f"{where} shows none of its own objects (so the scope proves nothing)"]
    return []


def _query_parameters(app: FastAPI, operation: str) -> set[str]:
    method, path = operation.split(" ", 1)
    item = app.openapi()["paths"][path][method.lower()]
    return {p["name"] for p in item.get("parameters", []) if p["in"] == "query"}


async def _filtered(world: World, operation: str, principal: str, call: Call) -> list[str]:
    """The other owner asks the list for the owner's objects by name (``?holder_id=A``...):
    refused, or answered without them."""
    accepted = _query_parameters(world.service.app, operation)
    names = {k: v for k, v in world.filters.items() if k in accepted}
    if not names:
        return []
    asking = replace(call, params={**(call.params or {}), **names})
    response, body = await _send(world, operation, principal, asking)
    where = f"{operation}?{'&'.join(names)}=<A's> as {principal}: {response.status_code}"
    if os.environ.get("AUTHZ_DISCOVER"):
        print(f"  {where}")
    if response.status_code == 403:
        return []
    if response.status_code != 200:
        return [f"{where}, expected 200 without the owner's objects or 403: {body[:300]}"]
    return _scope_failures(world, principal, body, where)


async def check_matrix(world: World, matrix: dict[str, Rule]) -> None:
    present = operations(world.service.app)
    missing, stale = coverage(present, matrix)
    assert missing == [], f"operations with no row in the matrix: {missing}"
    assert stale == [], f"matrix rows with no operation behind them: {stale}"

    discover = os.environ.get("AUTHZ_DISCOVER")
    failures: list[str] = []
    for operation in present:
        rule = matrix[operation]
        spec = world.calls.get(operation, Call())
        method = operation.split(" ", 1)[0]
        succeeded = False
        seen = []
        for principal in _order(rule):
            expected = rule.expected(principal)
            call = await _prepare(spec, principal)
            before = await fingerprint(world.service) if expected and method != "GET" else None
            response, body = await _send(world, operation, principal, call)
            status = response.status_code
            seen.append(f"{principal}={status}")
            where = f"{operation} as {principal}: {status}"
            if expected is None:
                if 200 <= status < 300:
                    succeeded = True
                elif status not in rule.also:
                    failures.append(f"{where}, expected allowed: {body[:300]}")
                if rule.scoped:
                    failures += _scope_failures(world, principal, body, where)
                    if principal in OTHERS:
                        failures += await _filtered(world, operation, principal, call)
            elif status != expected:
                failures.append(f"{where}, expected {expected}: {body[:300]}")
            else:
                wrong = _refusal_problem(response, expected)
                if wrong:
                    failures.append(f"{where} {wrong}")
            if before is not None:
                after = await fingerprint(world.service)
                changed = sorted(t for t in after if after[t] != before.get(t))
                if changed:
                    failures.append(f"{where} was refused but wrote to {changed}")
        if rule.allowed and not succeeded:
            failures.append(f"{operation}: no allowed caller succeeded ({', '.join(seen)})")
        if discover:
            print(f"{operation:60} {' '.join(seen)}")
    assert failures == [], "\n".join(failures)
