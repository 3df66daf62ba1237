"""Hot reads (servicekit.hot_reads), through rights-api's ``GET /rights/{right_id}``: the hot
path answers exactly as the FastAPI route does, for every kind of caller and id, and it stays
answerable when the database drops or refuses its connections."""

import asyncio
import dataclasses
import uuid

import asyncpg
import pytest
from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.read_connections import APPLICATION_NAME, ReadConnections

from tests.rights_api.support import SCJ001, add_right, holder

CLAIMED = (Role.enterprise, Role.evaluator)  # their tokens carry a holder or organisation
COMPARED_HEADERS = ("content-type", "etag", "www-authenticate")


async def hot_connections(service) -> int:
    conn = await asyncpg.connect(service.runtime.db.asyncpg_dsn())
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = $1",
            APPLICATION_NAME,
        )
    finally:
        await conn.close()


async def test_a_hot_read_answers_every_caller_as_the_route_does(rights):
    owner, other = await holder(rights, 1), await holder(rights, 2)
    right = await add_right(rights, owner, at=SCJ001)
    callers = {
        "anonymous": {},
        "malformed token": {"Authorization": "Bearer not-a-jwt"},
        "expired token": rights.auth(Role.bureau_admin, ttl_seconds=-60),
        **{role.value: rights.auth(role) for role in Role if role not in CLAIMED},
        "evaluator": rights.auth(Role.evaluator, org_id=str(uuid.uuid4())),
        "owning enterprise": rights.auth(Role.enterprise, holder_id=owner),
        "other enterprise": rights.auth(Role.enterprise, holder_id=other),
    }
    paths = {
        "the right": f"/rights/{right['id']}",
        "no such right": f"/rights/{uuid.uuid4()}",
        "upper-case id": f"/rights/{right['id'].upper()}",
        "not an id": "/rights/xianfeng",
    }
    cold_spec = dataclasses.replace(SERVICE, hot_reads=())
    async with running_service(
        cold_spec,
        database_url=rights.settings.database_url,
        broker=InProcessBroker(),
        background=False,
    ) as cold:
        statuses = {}
        for caller, headers in callers.items():
            for what, path in paths.items():
                cold_answer = await cold.client.get(path, headers=headers)
                hot_answer = await rights.client.get(path, headers=headers)
                where = f"{caller}, {what}"
                assert hot_answer.status_code == cold_answer.status_code, where
                assert hot_answer.content == cold_answer.content, where
                for name in COMPARED_HEADERS:
                    assert hot_answer.headers.get(name) == cold_answer.headers.get(name), where
                statuses[caller, what] = hot_answer.status_code
        assert await hot_connections(rights) == 1  # the hot service's one; the cold opened none
    # the comparison covered successes and each refusal
    assert statuses["bureau_reviewer", "the right"] == 200
    assert statuses["owning enterprise", "the right"] == 200
    assert statuses["other enterprise", "the right"] == 404
    assert statuses["evaluator", "the right"] == 403
    assert statuses["anonymous", "the right"] == 401
    assert statuses["bureau_admin", "not an id"] == 422
    assert statuses["bureau_admin", "no such right"] == 404


async def test_a_hot_read_survives_the_server_dropping_its_connection(rights):
    owner = await holder(rights, 1)
    right = await add_right(rights, owner, at=SCJ001)
    headers = rights.auth(Role.bureau_reviewer)
    assert (await rights.client.get(f"/rights/{right['id']}", headers=headers)).status_code == 200
    assert await hot_connections(rights) == 1
    admin = await asyncpg.connect(rights.runtime.db.asyncpg_dsn())
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
    finally:
        await admin.close()
    assert killed == 1
    # at once: whether the client library noticed the closed socket yet or not
    answer = await rights.client.get(f"/rights/{right['id']}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == right["id"]


async def test_a_hot_read_answers_503_while_the_database_refuses_connections(rights):
    owner = await holder(rights, 1)
    right = await add_right(rights, owner, at=SCJ001)
    headers = rights.auth(Role.bureau_reviewer)
    path = f"/rights/{right['id']}"
    db = rights.runtime.db
    database = db.engine.url.database
    admin = await asyncpg.connect(db.asyncpg_dsn().replace(f"/{database}", "/postgres"))
    try:
        await admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            database,
        )
        refused = await rights.client.get(path, headers=headers)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "5"
        assert "unreachable" in refused.json()["detail"]
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
        await admin.close()
    assert (await rights.client.get(path, headers=headers)).status_code == 200


async def test_read_connections_are_bounded_and_a_failed_one_is_not_reused(rights):
    connections = ReadConnections(rights.runtime.db.asyncpg_dsn(), size=2)
    running, most = 0, 0

    async def read() -> None:
        nonlocal running, most
        async with connections.connection() as conn:
            running += 1
            most = max(most, running)
            await conn.fetchval("SELECT pg_sleep(0.05)")
            running -= 1

    try:
        await asyncio.gather(*(read() for _ in range(6)))
        assert most == 2
        async with connections.connection() as conn:
            first = conn.get_server_pid()
        async with connections.connection() as conn:
            assert conn.get_server_pid() == first  # the idle one is reused
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with connections.connection() as conn:
                await conn.fetchval("SELECT 1/0")
        async with connections.connection() as conn:
            assert conn.get_server_pid() != first  # the one that failed was closed
            assert await conn.fetchval("SHOW transaction_read_only") == "on"
    finally:
        await connections.close()
    assert await hot_connections(rights) == 0
