"""What the read path skips, and that skipping it loses nothing: reads run on a read-only pool
without a transaction, verified tokens are remembered only until they expire, and pooled
connections are checked without a round trip per request yet never handed out dead."""

import asyncio
import time

import asyncpg
import jwt
import pytest
from servicekit.auth import Authenticator, Role
from servicekit.errors import Unauthorized
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.rights_api.support import SCJ001, add_right, holder


async def test_reads_run_on_read_only_connections_and_writes_on_transactional_ones(rights):
    db = rights.runtime.db
    read = UnitOfWork(db, read_only=True)
    write = UnitOfWork(db)
    try:
        read_session, write_session = read.get_session(), write.get_session()
        assert (await read_session.exec(text("SHOW transaction_read_only"))).scalar() == "on"
        assert (await write_session.exec(text("SHOW transaction_read_only"))).scalar() == "off"
        # no transaction is held open around reads: each statement is its own
        started = []
        for session in (read_session, write_session, read_session, write_session):
            started.append((await session.exec(text("SELECT transaction_timestamp()"))).scalar())
            await asyncio.sleep(0.01)
        assert started[2] > started[0]  # the read session: a new transaction per statement
        assert started[3] == started[1]  # the write session: one transaction throughout
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await read_session.exec(
                text(
                    "INSERT INTO holders (id, credit_code, name) "
                    "VALUES (gen_random_uuid(), 'x', 'y')"
                )
            )
    finally:
        await read.close()
        await write.close()


async def test_a_get_reads_what_the_post_before_it_committed(rights):
    owner = await holder(rights, 1)
    right = await add_right(rights, owner, at=SCJ001)
    response = await rights.client.get(
        f"/rights/{right['id']}", headers=rights.auth(Role.bureau_reviewer)
    )
    assert response.status_code == 200, response.text
    assert response.json()["licence_no"] == right["licence_no"]
    assert response.headers["etag"] == '"1"'


async def test_a_verified_token_is_remembered_only_until_it_expires(rights):
    authenticator = Authenticator(rights.settings)
    now = int(time.time())
    claims = {
        "sub": "reader",
        "roles": ["inspector"],
        "iss": rights.settings.jwt_issuer,
        "aud": rights.settings.jwt_audience,
        "exp": now + 2,
    }
    secret = rights.settings.jwt_secret.get_secret_value()
    token = jwt.encode(claims, secret, algorithm="HS256")
    first = await authenticator.authenticate(token)
    assert await authenticator.authenticate(token) is first  # remembered, not re-verified
    other = jwt.encode({**claims, "sub": "another"}, secret, algorithm="HS256")
    assert (await authenticator.authenticate(other)).subject == "another"
    forged = jwt.encode(claims, "not-the-secret-" * 3, algorithm="HS256")
    with pytest.raises(Unauthorized):
        await authenticator.authenticate(forged)
    await asyncio.sleep(max(0.0, now + 2.2 - time.time()))
    with pytest.raises(Unauthorized, match="expired"):
        await authenticator.authenticate(token)


async def test_connections_the_server_closed_are_replaced_without_a_failed_request(rights):
    headers = rights.auth(Role.bureau_reviewer)
    owner = await holder(rights, 2)
    for _ in range(2):  # both pools now hold an idle connection
        assert (await rights.client.get("/rights", headers=headers)).status_code == 200
    database = rights.runtime.db.engine.url.database
    dsn = rights.runtime.db.asyncpg_dsn()
    admin = await asyncpg.connect(dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            database,
        )
    finally:
        await admin.close()
    assert killed >= 2
    await asyncio.sleep(0.2)  # the terminations reach the pooled sockets
    assert (await rights.client.get("/rights", headers=headers)).status_code == 200
    written = await add_right(rights, owner, at=SCJ001)
    assert written["holder_id"] == owner
