"""Bad records on a topic, and a database that drops its connections under a service.

Poison: records no consumer can read are produced straight onto rights-api's topic, one per
partition, ahead of real events. Every service consuming the topic dead-letters each of them
(its table, listed at GET /admin/dead-letters with the reason, and its `<consumer>.dlq` topic)
and the events behind them flow on.

Database: restoration-api's connections are cut, then its database refuses connections for a
while. Requests answer 503 problem+json at once, /readyz says unavailable, writes are refused
whole, and the same process serves again when the database is back; its consumer, relay and
jobs catch up with what happened meanwhile."""

import asyncio
import json
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from devkit.testing import eventually
from sqlalchemy.engine import make_url

from tests.e2e.faults import connect
from tests.e2e.workload import Workload
from tests.events.support import headers_of, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="module")]
RIGHTS = 12
CONSUMERS = ("restoration", "greenmine", "notifier")  # every service that reads rights.events
# rights-api reads its own topic too (the integrity record) but has no handler for
# rights.right.granted: it dead-letters what no consumer can read (not JSON, an unknown type) and
# ignores a granted event it does not handle, however malformed
OWN_READER, OWN_POISON = "rights", ("invalid JSON", "unknown type")


def cloudevent_headers(event_type: str) -> list[tuple[str, bytes]]:
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", str(uuid.uuid4()).encode()),
        ("ce_source", b"/services/rights"),
        ("ce_type", event_type.encode()),
        ("content-type", b"application/json"),
    ]


# what is wrong → (value, headers, what the dead letter's error must name)
POISON = {
    "invalid JSON": (b'{"right_id": ', "rights.right.granted", "data is not JSON"),
    "unknown type": (b"{}", "rights.right.vanished", "rights.right.vanished"),
    "missing fields": (
        json.dumps({"right_id": str(uuid.uuid4()), "holder_id": str(uuid.uuid4())}).encode(),
        "rights.right.granted",
        "licence_no",
    ),
}


async def test_poison_records_are_dead_lettered_by_every_consumer_and_the_rest_flows(
    shared_system,
):
    system = shared_system
    workload = await Workload(system).begin()
    topic = system.topic_prefix + "rights.events"
    producer = AIOKafkaProducer(bootstrap_servers=system.kafka, acks="all")
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        assert len(partitions) == len(POISON)
        for partition, (value, event_type, _) in zip(partitions, POISON.values(), strict=True):
            await producer.send_and_wait(
                topic,
                value=value,
                key=uuid.uuid4().bytes,
                partition=partition,
                headers=cloudevent_headers(event_type),
            )
    finally:
        await producer.stop()

    await workload.grant_all(range(RIGHTS))  # behind the poison on every partition
    expected = {name: dict(POISON) for name in CONSUMERS}
    expected[OWN_READER] = {what: POISON[what] for what in OWN_POISON}
    await workload.settled(dead_letters={name: len(p) for name, p in expected.items()})

    for name, poison in expected.items():
        reasons = sorted(reason for _, _, reason in poison.values())
        letters = await workload.new_dead_letters(name)
        assert {d["topic"] for d in letters} == {topic}
        assert sorted(reason for reason in reasons for d in letters if reason in d["error"]) == (
            reasons
        ), [d["error"] for d in letters]
        forwarded = await read_topic(system.kafka, f"{system.topic_prefix}{name}.dlq", len(poison))
        assert len(forwarded) == len(poison), f"{name}.dlq"
        assert sorted(r.value for r in forwarded) == sorted(v for v, _, _ in poison.values())
        errors = [headers_of(r)["dlq_error"] for r in forwarded]
        assert all(any(reason in e for e in errors) for reason in reasons), errors


async def test_a_database_dropping_and_refusing_connections_answers_503_and_recovers(
    shared_system,
):
    system = shared_system
    [restoration] = system.running("restoration")
    pid = restoration.process.pid
    workload = await Workload(system).begin()
    await workload.grant_all(range(RIGHTS // 2))
    await eventually(workload.funds_complete, timeout=60, what="funds before the outage")
    database = make_url(system.database_urls["restoration"]).database
    admin = await connect(system, "restoration", database="postgres")

    async def cut() -> int:
        return await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )

    assert await cut() > 0  # every connection dropped at once: the pool replaces them
    assert (await call(workload, "GET", "/funds")).status_code == 200

    program = {"name": f"故障测试专项资金{workload.tag}", "source": "city_budget"}
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await cut()
        granting = asyncio.create_task(workload.grant_all(range(RIGHTS // 2, RIGHTS)))
        for method, path, kwargs in (
            ("GET", "/funds", {}),
            ("POST", "/funds", {"json": program, "headers": {"Idempotency-Key": "k-retried"}}),
            ("POST", "/funds", {"json": program | {"name": "放弃的"}}),
            ("POST", "/admin/jobs/annual_obligations/run", {}),
        ):
            refused = await call(workload, method, path, **kwargs)
            assert refused.status_code == 503, (path, refused.status_code, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["status"] == 503
        ready = await call(workload, "GET", "/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        assert ready.json()["checks"]["database"].startswith("down")
        assert (await call(workload, "GET", "/healthz")).status_code == 200
        await granting  # rights-api goes on granting: restoration's consumer must wait
        await eventually(lambda: workload.relayed("rights"), what="rights-api relayed the grants")
        await asyncio.sleep(5)  # the consumer fetches them and fails to apply them, for a while
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()

    async def ready_again() -> bool:
        return (await call(workload, "GET", "/readyz")).status_code == 200

    await eventually(ready_again, timeout=30, what="restoration-api ready without a restart")
    assert system.running("restoration") == [restoration] and restoration.process.pid == pid

    retried = await call(workload, "POST", "/funds", json=program, headers=key("k-retried"))
    again = await call(workload, "POST", "/funds", json=program, headers=key("k-retried"))
    assert retried.status_code == again.status_code == 201, retried.text
    assert again.json()["id"] == retried.json()["id"]
    programs = await workload.items("restoration", "/funds", kind="program")
    names = [f["name"] for f in programs]
    assert names.count(program["name"]) == 1 and "放弃的" not in names  # once, or not at all

    await workload.settled()


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def call(workload: Workload, method: str, path: str, **kwargs) -> httpx.Response:
    """The workload's admin calling restoration-api, to be answered within 15 s."""
    headers = workload.admin | kwargs.pop("headers", {})
    return await workload.system.call(
        "restoration", method, path, headers=headers, timeout=15, **kwargs
    )
