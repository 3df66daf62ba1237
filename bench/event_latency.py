"""Event latency at low load: from rights-api's commit to the notifier's inbox row, next to a bare
aiokafka produce→consume round trip on the same broker, measured in the same run.

rights-api registers a holder (POST /holders: the holder row and the outbox row in one
transaction); its relay publishes the event to Kafka; the notifier consumes it and writes its
inbox row. Events go one at a time, each waited for before the next. The clock starts when the
201 reaches the client (the commit happened just before) and stops at the notifier's inbox row
(``processed_at``: its transaction's time, on the same machine's clock). The baseline sends a
message with the same producer settings the services use (acks=all, idempotent, linger 2 ms)
to a consumer in a group, one at a time, and times send → receipt. The events are measured in
rounds (``--rounds``, each alternating message by message between the two paths); every figure
is the median of the rounds' figures, its ratio the median of the rounds' ratios with their
min–max.

    .venv/bin/python bench/event_latency.py [--events 300] [--rounds 5]

Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts the local Kafka node the tests use; uses
TEST_DATABASE_URL when set, else the embedded PostgreSQL.
"""

import argparse
import asyncio
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from devkit.localinfra.kafka import kafka_node  # noqa: E402
from devkit.localinfra.postgres import postgres_server  # noqa: E402
from devkit.testing import running_service  # noqa: E402
from notifier.app import SERVICE as NOTIFIER  # noqa: E402
from rights_api.app import SERVICE as RIGHTS  # noqa: E402
from servicekit.auth import Role  # noqa: E402
from servicekit.logs import configure_logging  # noqa: E402
from servicekit.migrations import upgrade_async  # noqa: E402
from servicekit.settings import ServiceSettings  # noqa: E402

from bench.cpu import load_note  # noqa: E402
from bench.results import MIN_ROUNDS, Figure, Scenario, record  # noqa: E402
from tests.samples import credit_code  # noqa: E402

TARGET_MS = 25.0
POLL = ServiceSettings.model_fields["relay_poll_seconds"].default  # as deployed, not the tests'
INBOX = "SELECT count(*), max(processed_at) FROM inbox"
WARM_UP = 20
PUBLISHED: list[float] = []  # commit → the relay marked the row sent (Kafka acknowledged it)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


@asynccontextmanager
async def services_path(bootstrap: str, server) -> AsyncIterator[Callable[[], Awaitable[float]]]:
    """rights-api and the notifier over the broker; yields: send one event, its latency in ms."""
    run = uuid.uuid4().hex[:8]
    names = {"rights": f"bench_ev_rights_{run}", "notifier": f"bench_ev_notifier_{run}"}
    urls = {}
    for service, spec in (("rights", RIGHTS), ("notifier", NOTIFIER)):
        urls[service] = await server.create_database(names[service])
        await upgrade_async(database_url=urls[service], service_versions=spec.migrations)
    settings = {
        "topic_prefix": f"bench{run}.",
        "kafka_bootstrap_servers": bootstrap,
        "relay_poll_seconds": POLL,
    }
    inbox = await asyncpg.connect(server.dsn(names["notifier"]))
    outbox = await asyncpg.connect(server.dsn(names["rights"]))
    serials = itertools.count(1)
    try:
        async with (
            running_service(RIGHTS, database_url=urls["rights"], **settings) as rights,
            running_service(NOTIFIER, database_url=urls["notifier"], **settings),
        ):
            headers = rights.auth(Role.bureau_admin)

            async def one() -> float:
                serial = next(serials)
                body = {"credit_code": credit_code(serial), "name": f"基准矿业{serial}"}
                seen = (await inbox.fetchrow(INBOX))[0]
                response = await rights.client.post("/holders", json=body, headers=headers)
                committed = time.time()
                assert response.status_code == 201, response.text
                deadline = committed + 60
                while True:
                    count, at = await inbox.fetchrow(INBOX)
                    if count > seen:
                        sent = await outbox.fetchval("SELECT max(sent_at) FROM outbox")
                        PUBLISHED.append((sent.timestamp() - committed) * 1000)
                        return (at.timestamp() - committed) * 1000
                    if time.time() > deadline:
                        raise TimeoutError(f"event {serial} not in the notifier's inbox in 60 s")
                    await asyncio.sleep(0.001)

            yield one
    finally:
        await inbox.close()
        await outbox.close()
        for name in names.values():
            await server.drop_database(name)


@asynccontextmanager
async def bare_path(bootstrap: str) -> AsyncIterator[Callable[[], Awaitable[float]]]:
    """A plain producer and a consumer in a group; yields: send one message, its latency in ms."""
    topic = f"bench{uuid.uuid4().hex[:8]}.bare"
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{topic}.group",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        metadata_max_age_ms=500,
    )
    await producer.start()
    await consumer.start()
    received: asyncio.Queue[float] = asyncio.Queue()

    async def consume() -> None:
        while True:
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                for message in messages:
                    received.put_nowait(time.time() - float(message.value))

    async def one() -> float:
        await producer.send_and_wait(topic, str(time.time()).encode())
        return await asyncio.wait_for(received.get(), 60) * 1000

    task = asyncio.create_task(consume())
    try:
        yield one
    finally:
        task.cancel()
        await consumer.stop()
        await producer.stop()


Timings = tuple[list[float], list[float]]  # (services, bare) latencies in ms


async def measure(bootstrap: str, events: int, rounds: int) -> list[Timings]:
    """Both paths live at once, events alternating between them, so both see the same broker
    (warmed up alike) and the same machine load; ``rounds`` consecutive rounds of
    ``events // rounds`` events per path."""
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    async with bare_path(bootstrap) as bare, services_path(bootstrap, server) as services:
        for _ in range(WARM_UP):  # topics made, groups joined, the broker's JIT warm
            await bare()
            await services()
        measured: list[Timings] = []
        for _ in range(rounds):
            timings: Timings = ([], [])
            for index in range(events // rounds):
                if index % 2:
                    timings[1].append(await bare())
                    timings[0].append(await services())
                else:
                    timings[0].append(await services())
                    timings[1].append(await bare())
            measured.append(timings)
    del PUBLISHED[: len(PUBLISHED) - rounds * (events // rounds)]  # the measured events only
    return measured


def main(events: int, rounds: int) -> bool:
    configure_logging("WARNING", json=False)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # topics appearing: expected noise
    with ExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            node = kafka_node(data_dir=Path(stack.enter_context(tempfile.TemporaryDirectory())))
            node.start()
            stack.callback(node.stop)
            bootstrap = node.bootstrap_servers
        measured = asyncio.run(measure(bootstrap, events, rounds))

    def per_round(path: int, p: int) -> list[float]:
        return [percentile(timings[path], p) for timings in measured]

    p50s, p99s, b50s, b99s = per_round(0, 50), per_round(0, 99), per_round(1, 50), per_round(1, 99)
    over = [p - b for p, b in zip(p50s, b50s, strict=True)]
    p50, b50 = statistics.median(p50s), statistics.median(b50s)
    met = statistics.median(over) <= TARGET_MS
    record(
        Scenario(
            name="event_latency",
            title="Event latency: rights-api commit → notifier inbox row",
            baseline="a bare aiokafka produce→consume round trip on the same broker (acks=all, "
            "idempotent producer, linger 2 ms, consumer in a group), one message at a time",
            figures=[
                Figure.rounds("latency p50", "ms", p50s, b50s),
                Figure.rounds("latency p99", "ms", p99s, b99s),
                Figure("latency p50 over the baseline", "ms", statistics.median(over)),
            ],
            target=f"p50 within {TARGET_MS:.0f} ms of the baseline",
            met=met,
            load_generator=f"{rounds} rounds of {events // rounds} events one at a time (POST "
            "/holders → rights.holder.registered → the notifier's journal), alternating with the "
            f"baseline's messages, after {WARM_UP} of each to warm up; median of the rounds",
            notes=[
                load_note(),
                "Both services in one process over the local single-node Kafka, relay poll "
                f"interval {POLL} s as deployed (the relay is woken by NOTIFY on commit)",
                "Of the p50, the relay's part (commit → the row marked sent after Kafka's "
                f"acknowledgement): {percentile(PUBLISHED, 50):.1f} ms",
                "p50 over the baseline by round: "
                + ", ".join(f"{x:.1f}" for x in over)
                + " ms; a round's p99 is its slowest event or next to it",
                "Clock: from the 201 reaching the client to the notifier transaction that wrote "
                "the inbox row (processed_at); the baseline from send to receipt",
            ],
        )
    )
    print(f"services: p50 {p50:.1f} ms; bare Kafka: p50 {b50:.1f} (medians of {rounds} rounds)")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="per path, over all rounds")
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    args = parser.parse_args()
    main(args.events, args.rounds)
