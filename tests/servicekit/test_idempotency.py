"""``Idempotency-Key`` on POST: a retry gets the first answer, never a second effect.

Realistic cases go through rights-api (``POST /holders``); the probe service of
test_unit_of_work supplies endpoints that wait, fail or refuse on demand.
"""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from alembic import command
from devkit.inprocess import InProcessBroker
from devkit.testing import RunningService, eventually, running_service
from rights_api.app import SERVICE
from servicekit import idempotency
from servicekit.auth import Role
from servicekit.migrations import alembic_config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.samples import PETROCHINA, credit_code
from tests.servicekit.test_unit_of_work import (
    WAIT,
    assert_problem,
    call_app,
    count,
    running_probe,
    sql,
)


def as_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def fingerprint(method: str, path: str, body: bytes, query: bytes = b"") -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), query, body])).hexdigest()


@pytest.fixture
async def rights(databases) -> AsyncIterator[RunningService]:
    url = await databases.create("rights")
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        yield service


@pytest.fixture
async def probe(databases) -> AsyncIterator[RunningService]:
    async with running_probe(databases) as service:
        yield service


def admin(service: RunningService, subject: str = "admin-1") -> dict[str, str]:
    return service.auth(Role.bureau_admin, subject=subject)


def keyed(service: RunningService, key: str) -> dict[str, str]:
    """An Idempotency-Key from an authenticated caller (the public's keys are not recorded)."""
    return {"Idempotency-Key": key, **admin(service, "prober")}


async def register(
    service: RunningService,
    body: bytes | dict[str, Any],
    *,
    key: str | None,
    caller: dict[str, str],
    params: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {**caller, "content-type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    content = body if isinstance(body, bytes) else as_json(body)
    return await service.client.post("/holders", content=content, headers=headers, params=params)


async def keys(service: RunningService) -> list[Any]:
    return await sql(service, "SELECT scope, key, status FROM idempotency_keys ORDER BY 1")


async def test_the_same_key_and_body_get_the_first_response_again(rights):
    caller = admin(rights)
    first = await register(rights, PETROCHINA, key="k-1", caller=caller)
    again = await register(rights, PETROCHINA, key="k-1", caller=caller)

    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    for header in ("location", "etag", "content-type"):
        assert again.headers[header] == first.headers[header]
    assert await count(rights, "holders") == 1
    assert await count(rights, "outbox") == 1
    assert await keys(rights) == [("sub:admin-1", "k-1", 201)]


@pytest.mark.parametrize(
    ("body", "params"),
    [({**PETROCHINA, "name": "另一家公司"}, None), (PETROCHINA, {"dry_run": "1"})],
    ids=["other-body", "other-query"],
)
async def test_the_same_key_with_another_request_is_a_422_problem(rights, body, params):
    caller = admin(rights)
    first = await register(rights, PETROCHINA, key="k-1", caller=caller)
    other = await register(rights, body, key="k-1", caller=caller, params=params)

    assert first.status_code == 201
    assert_problem(other, 422, "idempotency-key-reused")
    assert await sql(rights, "SELECT name FROM holders") == [(PETROCHINA["name"],)]
    assert await count(rights, "outbox") == 1
    assert await keys(rights) == [("sub:admin-1", "k-1", 201)]


async def test_a_key_belongs_to_its_caller(rights):
    alice = await register(rights, PETROCHINA, key="shared", caller=admin(rights, "alice"))
    bob = await register(
        rights,
        {"credit_code": credit_code(1), "name": "二连市北山石料厂"},
        key="shared",
        caller=admin(rights, "bob"),
    )

    assert alice.status_code == 201
    assert bob.status_code == 201, bob.text
    assert "idempotent-replayed" not in bob.headers
    assert await count(rights, "holders") == 2
    assert await count(rights, "outbox") == 2
    assert await keys(rights) == [
        ("sub:alice", "shared", 201),
        ("sub:bob", "shared", 201),
    ]


async def test_an_anonymous_post_with_a_key_records_nothing(rights):
    """A 401 kept under an anonymous scope was one row per request, without bound, and made the
    same key with another body a 422 "reused": the public's keys are not recorded."""
    anonymous: dict[str, str] = {}
    refused = await register(rights, PETROCHINA, key="anon-key", caller=anonymous)
    other = {"credit_code": credit_code(1), "name": "二连市北山石料厂"}
    again = await register(rights, other, key="anon-key", caller=anonymous)

    assert_problem(refused, 401, "unauthorized")
    assert_problem(again, 401, "unauthorized")
    assert "idempotent-replayed" not in again.headers
    assert await count(rights, "idempotency_keys") == 0
    assert await count(rights, "holders") == 0

    caller = admin(rights)
    first = await register(rights, PETROCHINA, key="anon-key", caller=caller)
    replay = await register(rights, PETROCHINA, key="anon-key", caller=caller)
    assert first.status_code == 201, first.text
    assert replay.headers["idempotent-replayed"] == "true"
    assert await keys(rights) == [("sub:admin-1", "anon-key", 201)]


async def test_a_public_post_runs_unkeyed(probe):
    note, key = {"text": "public"}, {"Idempotency-Key": "anon-key"}
    first = await probe.client.post("/notes", json=note, headers=key)
    again = await probe.client.post("/notes", json=note, headers=key)

    assert [first.status_code, again.status_code] == [201, 201]
    assert "idempotent-replayed" not in again.headers
    assert await count(probe, "notes") == 2
    assert await count(probe, "idempotency_keys") == 0


async def test_duplicates_sent_while_the_first_is_in_flight_get_409_with_retry_after(probe):
    controls = probe.app.state.controls
    controls.gate = asyncio.Event()
    key = keyed(probe, "busy")
    attempts = [
        asyncio.create_task(probe.client.post("/notes", json={"text": "once"}, headers=key))
        for _ in range(5)
    ]
    async with asyncio.timeout(WAIT):
        while sum(a.done() for a in attempts) < 4:
            await asyncio.wait(
                [a for a in attempts if not a.done()], return_when=asyncio.FIRST_COMPLETED
            )
    refused = [a for a in attempts if a.done()]
    for response in (a.result() for a in refused):
        assert_problem(response, 409, "idempotency-key-in-flight")
        assert response.headers["retry-after"] == "1"
    await asyncio.wait_for(controls.entered.wait(), WAIT)
    assert controls.executions == 1

    controls.gate.set()
    [executed] = [await a for a in attempts if a not in refused]
    assert executed.status_code == 201, executed.text
    assert await count(probe, "notes") == 1
    later = await probe.client.post("/notes", json={"text": "once"}, headers=key)
    assert later.headers["idempotent-replayed"] == "true"
    assert later.json() == executed.json()
    assert controls.executions == 1


async def test_a_refusal_is_replayed_as_the_same_refusal(rights):
    caller = admin(rights)
    await register(rights, PETROCHINA, key=None, caller=caller)
    refused = await register(rights, PETROCHINA, key="dup", caller=caller)
    assert_problem(refused, 409, "conflict")

    # were the request executed again, it would now succeed: the replay proves it is not
    await sql(rights, "DELETE FROM holders")
    again = await register(rights, PETROCHINA, key="dup", caller=caller)
    assert again.status_code == 409
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == refused.json()
    assert await count(rights, "holders") == 0
    assert await keys(rights) == [("sub:admin-1", "dup", 409)]


async def test_a_refusal_after_writing_is_rolled_back_and_replayed_without_running_again(probe):
    controls = probe.app.state.controls
    controls.after_write = "refuse"
    key = keyed(probe, "refused")
    refused = await probe.client.post("/notes", json={"text": "no"}, headers=key)
    controls.after_write = "created"
    again = await probe.client.post("/notes", json={"text": "no"}, headers=key)

    assert_problem(refused, 422, "unprocessable")
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == refused.json()
    assert controls.executions == 1
    assert await count(probe, "notes") == 0


@pytest.mark.parametrize(
    ("after_write", "status", "slug"),
    [("raise", 500, "internal-error"), ("unavailable", 503, "service-unavailable")],
    ids=["unhandled-exception", "5xx-response"],
)
async def test_a_server_error_releases_the_key_so_a_retry_executes(
    probe, after_write, status, slug
):
    controls = probe.app.state.controls
    controls.after_write = after_write
    key = keyed(probe, "flaky")
    failed = await probe.client.post("/notes", json={"text": "try"}, headers=key)
    assert_problem(failed, status, slug)
    assert await count(probe, "idempotency_keys") == 0

    controls.after_write = "created"
    retried = await probe.client.post("/notes", json={"text": "try"}, headers=key)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert controls.executions == 2
    assert await sql(probe, "SELECT text FROM notes") == [("try",)]
    assert [row[2:] for row in await keys(probe)] == [(201,)]


async def test_a_record_is_kept_for_the_retention_period_then_forgotten(rights):
    assert rights.settings.idempotency_retention_hours == 24
    caller = admin(rights)
    other = {"credit_code": credit_code(2), "name": "二连浩特市赛汉塔拉砂场"}
    first = await register(rights, PETROCHINA, key="old", caller=caller)
    assert first.status_code == 201

    await sql(
        rights, "UPDATE idempotency_keys SET created_at = now() - interval '23 hours 59 minutes'"
    )
    assert_problem(
        await register(rights, other, key="old", caller=caller), 422, "idempotency-key-reused"
    )

    await sql(
        rights, "UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 minute'"
    )
    fresh = await register(rights, other, key="old", caller=caller)
    assert fresh.status_code == 201, fresh.text
    assert "idempotent-replayed" not in fresh.headers
    assert await count(rights, "holders") == 2
    [(stored, age_minutes)] = await sql(
        rights,
        "SELECT fingerprint, extract(epoch FROM now() - created_at) / 60 FROM idempotency_keys",
    )
    assert stored == fingerprint("POST", "/holders", as_json(other))
    assert age_minutes < 1


@pytest.mark.parametrize("key", ["", "   ", "k" * 256], ids=["empty", "blank", "256-chars"])
async def test_an_invalid_key_is_a_400_problem(rights, key):
    response = await register(rights, PETROCHINA, key=key, caller=admin(rights))
    assert_problem(response, 400, "invalid-idempotency-key")
    assert await count(rights, "holders") == 0
    assert await count(rights, "idempotency_keys") == 0


async def test_a_key_of_255_characters_is_accepted(rights):
    response = await register(rights, PETROCHINA, key="k" * 255, caller=admin(rights))
    assert response.status_code == 201, response.text
    assert await keys(rights) == [("sub:admin-1", "k" * 255, 201)]


async def test_a_body_over_max_body_bytes_is_a_413_problem(databases):
    url = await databases.create("rights")
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False, max_body_bytes=200
    ) as rights:
        body = as_json(PETROCHINA)
        at_limit = body + b" " * (200 - len(body))
        over = at_limit + b" "
        too_large = await register(rights, over, key="big", caller=admin(rights))
        assert_problem(too_large, 413, "payload-too-large")
        assert await count(rights, "holders") == 0
        assert await count(rights, "idempotency_keys") == 0

        accepted = await register(rights, at_limit, key="big", caller=admin(rights))
        assert accepted.status_code == 201, accepted.text
        assert await count(rights, "holders") == 1


async def test_a_bad_token_is_refused_by_the_route_and_claims_nothing(rights):
    response = await register(
        rights, PETROCHINA, key="k-1", caller={"Authorization": "Bearer not-a-token"}
    )
    assert_problem(response, 401, "unauthorized")
    assert await count(rights, "idempotency_keys") == 0


async def test_a_post_that_never_touches_the_database_is_recorded_and_replayed(probe):
    key = keyed(probe, "echo")
    first = await probe.client.post("/echo", json={"text": "hi"}, headers=key)
    again = await probe.client.post("/echo", json={"text": "hi"}, headers=key)
    assert first.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() == {"echo": "hi", "execution": 1}
    assert [row[2:] for row in await keys(probe)] == [(200,)]


async def test_a_client_that_disconnects_mid_body_leaves_the_key_unused(rights):
    body = as_json(PETROCHINA)
    caller = admin(rights)
    headers = [*caller.items(), ("content-type", "application/json"), ("idempotency-key", "cut")]
    await call_app(
        rights.app,
        "POST",
        "/holders",
        headers=headers,
        body=[
            {"type": "http.request", "body": body[:20], "more_body": True},
            {"type": "http.disconnect"},
        ],
    )
    assert await count(rights, "idempotency_keys") == 0
    assert await count(rights, "holders") == 0

    retried = await register(rights, body, key="cut", caller=caller)
    assert retried.status_code == 201, retried.text
    assert await count(rights, "holders") == 1


async def test_a_request_whose_process_dies_leaves_no_claim_so_its_retry_runs_at_once(probe):
    """A process killed mid-request (SIGKILL, OOM) just drops its connection; PostgreSQL then
    rolls its transaction back, and with it the claim. Its connection is dropped here with
    pg_terminate_backend while the request waits after its write."""
    controls = probe.app.state.controls
    gate = controls.gate = asyncio.Event()
    note, key = {"text": "once"}, keyed(probe, "killed")
    first = asyncio.create_task(probe.client.post("/notes", json=note, headers=key))
    await asyncio.wait_for(controls.entered.wait(), WAIT)

    # while it runs, a duplicate is told so at once, without waiting for the first to end
    duplicate = await asyncio.wait_for(probe.client.post("/notes", json=note, headers=key), WAIT)
    assert_problem(duplicate, 409, "idempotency-key-in-flight")
    assert duplicate.headers["retry-after"] == "1"
    assert not first.done()

    terminated = await sql(
        probe,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND state = 'idle in transaction' "
        "AND query LIKE 'INSERT INTO notes%'",
    )
    assert terminated == [(True,)]
    controls.gate = None
    retried = await asyncio.wait_for(probe.client.post("/notes", json=note, headers=key), WAIT)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert await sql(probe, "SELECT text FROM notes") == [("once",)]

    # had the first process lived on, its end could not commit a second note
    gate.set()
    assert_problem(await first, 503, "service-unavailable")
    assert controls.executions == 2
    assert await sql(probe, "SELECT text FROM notes") == [("once",)]
    assert await keys(probe) == [("sub:prober", "killed", 201)]
    replay = await probe.client.post("/notes", json=note, headers=key)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == retried.json()


async def test_a_claim_whose_client_vanished_without_a_word_ends_once_idle(databases):
    """A host that dies or is cut off closes no connection: nothing tells PostgreSQL the request
    is gone. Its transaction, and the claim, end once idle for idempotency_idle_seconds."""
    async with running_probe(databases, idempotency_idle_seconds=1) as probe:
        controls = probe.app.state.controls
        gate = controls.gate = asyncio.Event()
        note, key = {"text": "once"}, keyed(probe, "vanished")
        first = asyncio.create_task(probe.client.post("/notes", json=note, headers=key))
        await asyncio.wait_for(controls.entered.wait(), WAIT)
        busy = await probe.client.post("/notes", json=note, headers=key)
        assert_problem(busy, 409, "idempotency-key-in-flight")

        async def claim_ended() -> bool:
            held = await sql(
                probe,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query LIKE 'INSERT INTO notes%'",
            )
            return held == [(0,)]

        await eventually(claim_ended, timeout=WAIT / 2, interval=0.1, what="the idle claim ended")
        assert not first.done()  # ended by PostgreSQL, not by the request giving up
        controls.gate = None
        retried = await probe.client.post("/notes", json=note, headers=key)
        assert retried.status_code == 201, retried.text
        assert "idempotent-replayed" not in retried.headers
        gate.set()
        assert_problem(await first, 503, "service-unavailable")
        assert await sql(probe, "SELECT text FROM notes") == [("once",)]
        assert await keys(probe) == [("sub:prober", "vanished", 201)]


async def test_identical_requests_racing_on_two_replicas_take_effect_once(databases):
    url = await databases.create("rights")
    async with (
        running_service(SERVICE, database_url=url, broker=InProcessBroker(), background=False) as a,
        running_service(SERVICE, database_url=url, broker=InProcessBroker(), background=False) as b,
    ):
        caller = admin(a)
        responses = await asyncio.gather(
            *(register(replica, PETROCHINA, key="race", caller=caller) for replica in [a, b] * 4)
        )

        [first] = [r for r in responses if "idempotent-replayed" not in r.headers and r.is_success]
        assert first.status_code == 201, first.text
        for response in responses:
            if response is first:
                continue
            if response.status_code == 409:
                assert_problem(response, 409, "idempotency-key-in-flight")
            else:
                assert response.headers["idempotent-replayed"] == "true", response.text
                assert response.json() == first.json()
        assert await count(a, "holders") == 1
        assert await count(a, "outbox") == 1
        assert await keys(a) == [("sub:admin-1", "race", 201)]


async def test_a_keyed_dry_run_runs_in_the_write_session_and_its_answer_is_replayed(probe):
    """A route on get_read_session (a dry run, like POST /applications/check) gets the
    read-only pool; with a key it gets the transaction that holds the claim instead, so its
    answer is recorded like any other."""
    controls = probe.app.state.controls
    plain = await probe.client.post("/dry-run", json={"text": "t"})
    assert plain.json() == {"text": "t", "read_only": True}
    assert await count(probe, "idempotency_keys") == 0

    key = keyed(probe, "dry")
    first = await probe.client.post("/dry-run", json={"text": "t"}, headers=key)
    again = await probe.client.post("/dry-run", json={"text": "t"}, headers=key)
    reused = await probe.client.post("/dry-run", json={"text": "u"}, headers=key)

    assert first.json() == {"text": "t", "read_only": False}
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert_problem(reused, 422, "idempotency-key-reused")
    assert controls.executions == 2
    assert await keys(probe) == [("sub:prober", "dry", 200)]


async def test_a_refusal_recorded_late_never_replaces_a_live_record(probe):
    """A refusal is recorded after its transaction, and claim, ended: a duplicate may have run
    and recorded its own answer meanwhile. That answer stays; only an expired record goes."""
    claim = idempotency.Claim(
        "anon:10.0.0.9", "late", "f" * 64, timedelta(hours=24), timedelta(minutes=1)
    )
    await sql(
        probe,
        "INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body) "
        "VALUES ('anon:10.0.0.9', 'late', :fingerprint, 201, '{}', 'ran')",
        fingerprint="f" * 64,
    )
    await idempotency.complete_refusal(probe.runtime.db, claim, 409, [], b"refused")
    assert await sql(probe, "SELECT status, body FROM idempotency_keys") == [(201, b"ran")]

    await sql(probe, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    await idempotency.complete_refusal(probe.runtime.db, claim, 409, [], b"refused")
    assert await sql(probe, "SELECT status, body FROM idempotency_keys") == [(409, b"refused")]


async def test_the_upgrade_to_claims_by_lock_forgets_claims_in_flight_and_keeps_answers(databases):
    """sk0004 on a database the previous version used: an in-flight row (a claim of a request
    that crashed, or still running on the old version) holds no answer and goes; an answer
    stays. The downgrade brings the columns back for the old version."""
    url = await databases.create("rights")
    config = alembic_config(database_url=url, service_versions=SERVICE.migrations)
    await asyncio.to_thread(command.downgrade, config, "sk0003")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO idempotency_keys "
                    "(scope, key, fingerprint, state, status, headers, body, locked_until) VALUES "
                    "('sub:a', 'done', :f, 1, 201, '{}', 'answer', now()), "
                    "('sub:a', 'crashed', :f, 0, NULL, NULL, NULL, now() + interval '5 minutes')"
                ).bindparams(f="f" * 64)
            )
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM idempotency_keys"))).mappings().all()
        assert [dict(row) for row in rows] == [
            {
                "scope": "sub:a",
                "key": "done",
                "fingerprint": "f" * 64,
                "status": 201,
                "headers": {},
                "body": b"answer",
                "created_at": rows[0]["created_at"],
            }
        ]

        await asyncio.to_thread(command.downgrade, config, "sk0003")
        async with engine.connect() as conn:
            old = await conn.execute(text("SELECT key, state FROM idempotency_keys"))
            assert old.all() == [("done", 1)]
        await asyncio.to_thread(command.upgrade, config, "heads")
    finally:
        await engine.dispose()
