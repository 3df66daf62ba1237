"""Two replicas of every service (separate uvicorn processes) on one database per service and
one Kafka broker: the work is done once, whichever replica takes it.

Scheduled jobs run on both replicas and are asked to run on both at once: each piece of work is
done once (counted in its effects: deadlines, alerts). An Idempotency-Key used on one replica
is honoured on the other. The anonymous-read limit is one limit, not one per replica. The
notifier's inbox stream on either replica carries each alert once, wherever it was made. A
replica killed with SIGKILL in the middle of a request loses nothing: the client's retry with
the same key, answered by the other replica, has exactly one effect."""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from devkit.testing import eventually
from servicekit.auth import Role

from tests.e2e.audit import nothing_lost_nothing_doubled
from tests.e2e.conftest import started
from tests.e2e.faults import connect
from tests.e2e.replicas import ANONYMOUS_READS, REPLICAS, ReplicatedSystem
from tests.e2e.system import SERVICES
from tests.e2e.workload import Workload
from tests.samples import credit_code

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.production_shape,
    pytest.mark.asyncio(loop_scope="module"),
]
RIGHTS = 8
AFTER_EVERY_DEADLINE = "2031-02-01T10:00:00+08:00"  # past each licence's expiry (2030-12-31)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def replicated(pg, templates, kafka, tmp_path_factory) -> AsyncIterator[ReplicatedSystem]:
    logs = tmp_path_factory.mktemp("replicas")
    async with started(
        ReplicatedSystem, pg=pg, templates=templates, kafka=kafka, logs=logs
    ) as system:
        try:
            yield system
        finally:
            print(system.log_tails())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def granted(replicated) -> Workload:
    """Rights granted through both rights-api replicas; every consumer group has two members."""
    assert all(len(replicated.running(s)) == REPLICAS for s in SERVICES)
    workload = await Workload(replicated).begin()
    await workload.grant_all(range(RIGHTS))
    await workload.settled()
    return workload


async def test_events_and_jobs_on_two_replicas_take_effect_once(replicated, granted):
    """settled(): one fund, one obliged mine, five deadlines per right (two of them made by
    restoration-api's annual job, which both replicas ran at start), each event once in the
    notifier's journal. Then the reminder sweep asked of both notifier replicas at once, twice:
    the steps taken add up to one run's, and each (deadline, step) has one alert."""
    notifier_a, notifier_b = replicated.running("notifier")
    inbox_user = f"u-replicas-{granted.tag}"
    admin = granted.admin
    subscription = await replicated.call(
        "notifier",
        "POST",
        "/subscriptions",
        json={
            "name": "副本测试收件箱",
            "channel": "inbox",
            "holder_id": granted.holder_id,
            "inbox_user": inbox_user,
        },
        headers=admin,
    )
    assert subscription.status_code == 201, subscription.text

    async def sweep(instance) -> int:
        response = await replicated.at(
            instance,
            "POST",
            "/admin/jobs/reminder-sweep/run",
            params={"now": AFTER_EVERY_DEADLINE},
            headers=admin,
        )
        assert response.status_code in (200, 409), response.text
        return response.json()["handled"] if response.status_code == 200 else 0

    handled = await asyncio.gather(sweep(notifier_a), sweep(notifier_b))
    handled += await asyncio.gather(sweep(notifier_b), sweep(notifier_a))
    inbox = await inbox_items(replicated, inbox_user)
    steps = Counter((i["deadline_id"], i["stage"]) for i in inbox)
    assert steps and set(steps.values()) == {1}, steps
    assert sum(handled) >= len(inbox) > 0, (handled, len(inbox))
    assert {i["deadline_id"] for i in inbox} <= {
        d["id"] for d in await granted.items("notifier", "/deadlines", holder_id=granted.holder_id)
    }
    await granted.settled()
    await nothing_lost_nothing_doubled(replicated)


async def test_an_idempotency_key_used_on_one_replica_is_honoured_on_the_other(replicated, granted):
    rights_a, rights_b = replicated.running("rights")
    serial = int(granted.tag, 16) % 10**6 + 500
    body = {"credit_code": credit_code(serial), "name": f"副本幂等测试矿业{granted.tag}"}
    headers = granted.admin | {"Idempotency-Key": f"replicas-{granted.tag}"}

    first = await replicated.at(rights_a, "POST", "/holders", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await replicated.at(rights_b, "POST", "/holders", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"

    # the same key on both at the same moment: one runs, the other waits or is told it runs
    other = {"credit_code": credit_code(serial + 1), "name": f"副本并发测试矿业{granted.tag}"}
    both = headers | {"Idempotency-Key": f"replicas-both-{granted.tag}"}
    answers = await asyncio.gather(
        replicated.at(rights_a, "POST", "/holders", json=other, headers=both),
        replicated.at(rights_b, "POST", "/holders", json=other, headers=both),
    )
    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409]), answers
    assert await holders_with(replicated, body["credit_code"]) == 1
    assert await holders_with(replicated, other["credit_code"]) == 1


async def test_the_anonymous_read_limit_is_shared_by_the_replicas(replicated):
    """Requests spread over both replicas are refused at the limit, not at twice it."""
    rights_a, rights_b = replicated.running("rights")
    statuses = []
    for i in range(ANONYMOUS_READS + 10):
        response = await replicated.at((rights_a, rights_b)[i % 2], "GET", "/plan-editions")
        statuses.append(response.status_code)
    assert statuses[:ANONYMOUS_READS] == [200] * ANONYMOUS_READS, statuses
    assert statuses[ANONYMOUS_READS:] == [429] * 10, statuses


async def test_the_inbox_stream_on_either_replica_carries_each_alert_once(replicated, granted):
    """Alerts made by the sweep on one notifier reach streams open on both, each once. A right
    granted now brings deadlines whose steps no sweep has taken yet."""
    notifier_a, notifier_b = replicated.running("notifier")
    inbox_user = f"u-stream-{granted.tag}"
    created = await replicated.at(
        notifier_a,
        "POST",
        "/subscriptions",
        json={
            "name": "副本推送测试",
            "channel": "inbox",
            "holder_id": granted.holder_id,
            "inbox_user": inbox_user,
        },
        headers=granted.admin,
    )
    assert created.status_code == 201, created.text
    headers = replicated.auth(Role.inspector, subject=inbox_user)
    await granted.grant(RIGHTS + 100)
    await granted.settled()
    received: dict[str, list[str]] = {"a": [], "b": []}

    async def listen(name, instance, opened: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            async with http.stream(
                "GET", f"{instance.url}/inbox/stream", headers={**headers, "Last-Event-ID": "0"}
            ) as stream:
                assert stream.status_code == 200
                opened.set()
                async for line in stream.aiter_lines():
                    if line.startswith("id:"):
                        received[name].append(line.removeprefix("id:").strip())

    opened = [asyncio.Event(), asyncio.Event()]
    listeners = [
        asyncio.create_task(listen("a", notifier_a, opened[0])),
        asyncio.create_task(listen("b", notifier_b, opened[1])),
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), timeout=30)
        for instance in (notifier_b, notifier_a):
            response = await replicated.at(
                instance,
                "POST",
                "/admin/jobs/reminder-sweep/run",
                params={"now": AFTER_EVERY_DEADLINE},
                headers=granted.admin,
            )
            assert response.status_code in (200, 409), response.text
        expected = {str(i["id"]) for i in await inbox_items(replicated, inbox_user)}
        assert expected, "the sweep put nothing in the inbox"

        async def both_complete() -> bool:
            return all(set(ids) >= expected for ids in received.values())

        await eventually(both_complete, timeout=30, what="every alert on both streams")
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    for name, ids in received.items():
        assert Counter(ids) == Counter(expected), (name, ids, expected)


async def test_a_replica_killed_mid_request_loses_nothing(replicated, granted):
    """A POST is held mid-transaction (a test session locks the table it writes), its replica
    is SIGKILLed, the lock released: the dead process's transaction never commits, and the
    client's retry with the same Idempotency-Key, answered by the other replica, registers the
    holder once. The killed replica's relay and consumer work is taken over too."""
    rights_a, _ = replicated.running("rights")
    serial = int(granted.tag, 16) % 10**6 + 700
    body = {"credit_code": credit_code(serial), "name": f"副本中断测试矿业{granted.tag}"}
    headers = granted.admin | {"Idempotency-Key": f"replicas-kill-{granted.tag}"}

    lock = await connect(replicated, "rights")
    hold = lock.transaction()
    await hold.start()
    await lock.execute("LOCK TABLE holders IN EXCLUSIVE MODE")
    request = asyncio.create_task(
        replicated.at(rights_a, "POST", "/holders", json=body, headers=headers)
    )
    await eventually(
        lambda: lock.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ),
        timeout=20,
        what="the POST waiting on the table lock",
    )
    rights_a.kill()
    with pytest.raises(httpx.TransportError):
        await request
    await hold.rollback()
    await lock.close()

    grants = asyncio.create_task(granted.grant_all(range(RIGHTS, RIGHTS + 4)))  # on rights_b
    deadline = time.monotonic() + 60
    while True:  # the client's retry: same key, same body, until it is answered
        retry = await replicated.call("rights", "POST", "/holders", json=body, headers=headers)
        if retry.status_code != 409 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert retry.status_code == 201, retry.text
    await grants
    assert await holders_with(replicated, body["credit_code"]) == 1

    await replicated.restart(rights_a)
    await granted.settled()
    await nothing_lost_nothing_doubled(replicated)


async def inbox_items(system: ReplicatedSystem, user: str) -> list[dict]:
    headers = system.auth(Role.inspector, subject=user)
    response = await system.call(
        "notifier", "GET", "/inbox", params={"limit": 200}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def holders_with(system: ReplicatedSystem, code: str) -> int:
    conn = await connect(system, "rights")
    try:
        return await conn.fetchval("SELECT count(*) FROM holders WHERE credit_code = $1", code)
    finally:
        await conn.close()
