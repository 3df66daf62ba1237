"""What an ``Idempotency-Key`` adds to a POST, next to the same POST without one.

POST /holders on rights-api, in-process (httpx ASGI transport: no network, no uvicorn), one
request at a time, keyed and unkeyed interleaved request by request so both see the same machine
load; every request registers a new holder, and every keyed one uses a new key (the common case:
a first attempt). A third case replays a key already answered. Figures per request: the process's
CPU time (service and client), the PostgreSQL backend's CPU, the WAL it wrote, and the round trips
to PostgreSQL, counted by a relay on the server's Unix socket (each time the client speaks after
the server answered); the round trips are counted in a pass of their own, so the relay costs the
CPU figures nothing. Both passes run in rounds (``--rounds``); every figure is the median of the
rounds' figures, its ratio the median of the rounds' ratios with their min–max.

    .venv/bin/python bench/idempotency_key.py [--requests 300] [--rounds 5]

Uses TEST_DATABASE_URL when set (round trips are then not counted unless it is a Unix socket),
else the embedded server the tests use.
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from devkit.inprocess import InProcessBroker  # noqa: E402
from devkit.localinfra.postgres import postgres_server  # noqa: E402
from devkit.testing import RunningService, running_service  # noqa: E402
from rights_api.app import SERVICE  # noqa: E402
from servicekit.auth import Role  # noqa: E402
from servicekit.logs import configure_logging  # noqa: E402
from servicekit.migrations import upgrade_async  # noqa: E402

from bench.cpu import BackendCpu, load_note  # noqa: E402
from bench.results import MIN_ROUNDS, Figure, Scenario, record  # noqa: E402
from bench.round_trips import relayed_url  # noqa: E402
from tests.samples import credit_code  # noqa: E402

CASES = ("unkeyed", "keyed", "replayed")
EXTRA_ROUND_TRIPS_TARGET = 3  # the lock, the record read, the record write


async def wal_lsn(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))
    finally:
        await conn.close()


def requester(service: RunningService, caller: dict[str, str], start: int) -> dict[str, Callable]:
    serial = iter(range(start, start + 999_999))
    replayed_key = f"replayed-{uuid.uuid4()}"
    replayed_body = {"credit_code": credit_code(start + 999_999), "name": "重放的企业"}

    async def post(body: dict, key: str | None, expect: int) -> None:
        headers = dict(caller) | ({"Idempotency-Key": key} if key else {})
        response = await service.client.post("/holders", json=body, headers=headers)
        assert response.status_code == expect, response.text

    def fresh() -> dict:
        n = next(serial)
        return {"credit_code": credit_code(n), "name": f"企业 {n}"}

    return {
        "unkeyed": lambda: post(fresh(), None, 201),
        "keyed": lambda: post(fresh(), f"k-{uuid.uuid4()}", 201),
        "replayed": lambda: post(replayed_body, replayed_key, 201),
    }


Rounds = list[dict[str, dict[str, float]]]  # round → case → figure → value


async def measure(
    calls: dict[str, Callable[[], Awaitable[None]]], requests: int, dsn: str, rounds: int
) -> Rounds:
    """Per round and case: process CPU, backend CPU and WAL bytes per request, the cases
    interleaved in blocks of 10."""
    return [await measure_round(calls, requests // rounds, dsn) for _ in range(rounds)]


async def measure_round(
    calls: dict[str, Callable[[], Awaitable[None]]], requests: int, dsn: str
) -> dict[str, dict[str, float]]:
    totals = {case: {"cpu": 0.0, "backend": 0.0, "wal": 0.0, "wall": []} for case in CASES}
    backends = BackendCpu(dsn)
    for _ in range(max(requests // 10, 1)):
        for case in CASES:
            await backends.start()
            lsn = await wal_lsn(dsn)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(10):
                await calls[case]()
            totals[case]["wall"].append((time.perf_counter() - wall) / 10)
            totals[case]["cpu"] += time.process_time() - cpu
            totals[case]["wal"] += await wal_lsn(dsn) - lsn
            totals[case]["backend"] += (await backends.stop()) or 0.0
    n = max(requests // 10, 1) * 10
    return {
        case: {
            "cpu_ms": t["cpu"] / n * 1000,
            "backend_ms": t["backend"] / n * 1000,
            "wal_bytes": t["wal"] / n,
            "wall_ms": statistics.median(t["wall"]) * 1000,
        }
        for case, t in totals.items()
    }


async def count_round_trips(
    url: str, requests: int, rounds: int, caller_for: Callable[[RunningService], dict[str, str]]
) -> list[dict[str, float]] | None:
    """Round trips per request, per round and case (``requests`` per case and round)."""
    if (relaying := await relayed_url(url)) is None:
        return None
    relayed, relay = relaying
    try:
        async with running_service(
            SERVICE,
            database_url=relayed,
            broker=InProcessBroker(),
            background=False,
        ) as service:
            calls = requester(service, caller_for(service), start=1_000_000)
            for case in CASES:  # warm up: connections open, statements prepared
                for _ in range(5):
                    await calls[case]()
            counts: list[dict[str, float]] = []
            for _ in range(rounds):
                counts.append({})
                for case in CASES:
                    before = relay.round_trips
                    for _ in range(requests):
                        await calls[case]()
                    counts[-1][case] = (relay.round_trips - before) / requests
            return counts
    finally:
        await relay.stop()


def figure(name: str, unit: str, rounds: Rounds, case: str, key: str) -> Figure:
    """``case`` next to the unkeyed POST, round by round."""
    values = [r[case][key] for r in rounds]
    return Figure.rounds(name, unit, values, [r["unkeyed"][key] for r in rounds])


async def main(requests: int, rounds: int) -> None:
    configure_logging("WARNING", json=False)
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    name = f"bench_idempotency_{uuid.uuid4().hex[:8]}"
    url = await server.create_database(name)
    try:
        await upgrade_async(database_url=url, service_versions=SERVICE.migrations)

        def caller_for(service: RunningService) -> dict[str, str]:
            return service.auth(Role.bureau_admin, subject="bench")

        async with running_service(
            SERVICE, database_url=url, broker=InProcessBroker(), background=False
        ) as service:
            calls = requester(service, caller_for(service), start=0)
            for case in CASES:
                for _ in range(20):
                    await calls[case]()
            measured = await measure(calls, requests, server.dsn(name), rounds)
        trips = await count_round_trips(url, 10, rounds, caller_for)
    finally:
        await server.drop_database(name)

    rows = [
        figure("process CPU per keyed POST", "ms", measured, "keyed", "cpu_ms"),
        figure("PostgreSQL CPU per keyed POST", "ms", measured, "keyed", "backend_ms"),
        figure("WAL per keyed POST", "bytes", measured, "keyed", "wal_bytes"),
        figure("latency p50, keyed POST", "ms", measured, "keyed", "wall_ms"),
        figure("process CPU per replayed POST", "ms", measured, "replayed", "cpu_ms"),
        figure("latency p50, replayed POST", "ms", measured, "replayed", "wall_ms"),
    ]
    met = True
    if trips is not None:
        counted = [{case: {"trips": r[case]} for case in CASES} for r in trips]
        rows[3:3] = [figure("round trips per keyed POST", "1", counted, "keyed", "trips")]
        rows.append(figure("round trips per replayed POST", "1", counted, "replayed", "trips"))
        met = (
            statistics.median(r["keyed"] - r["unkeyed"] for r in trips) <= EXTRA_ROUND_TRIPS_TARGET
        )
    record(
        Scenario(
            name="idempotency_key",
            title="POST /holders with an Idempotency-Key (rights-api)",
            baseline="the same POST without a key, interleaved ten requests at a time",
            figures=rows,
            target=(
                f"a key costs at most {EXTRA_ROUND_TRIPS_TARGET} round trips (lock, record read, "
                "record write), all in the request's own transaction: no transaction of its own"
            ),
            met=met,
            load_generator=(
                f"{requests} requests per case in {rounds} rounds, one at a time, in-process "
                "httpx ASGI client; round trips over 10 more per case and round through a "
                "counting Unix-socket relay; median of the rounds"
            ),
            notes=[
                "each keyed POST uses a new key; 'replayed' repeats one answered key",
                "CPU is the benchmark process's (service and client); PostgreSQL CPU its backends",
                load_note(),
            ],
        )
    )
    for row in rows:
        print(f"{row.name:34s} {row.value:9.2f} {row.unit:5s} ratio {row.ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per case, over all rounds")
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
