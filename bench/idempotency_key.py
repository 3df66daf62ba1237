"""What an ``Idempotency-Key`` adds to a POST, next to the same POST without one.

POST /holders on rights-api, in-process (httpx ASGI transport: no network, no uvicorn), one
request at a time, keyed and unkeyed interleaved request by request so both see the same machine
load; every request registers a new holder, and every keyed one uses a new key (the common case:
a first attempt). A third case replays a key already answered. Figures per request: the process's
CPU time (service and client), the PostgreSQL backend's CPU, the WAL it wrote, and the round trips
to PostgreSQL, counted by a relay on the server's Unix socket (each time the client speaks after
the server answered); the round trips are counted in a pass of their own, so the relay costs the
CPU figures nothing.

    .venv/bin/python bench/idempotency_key.py [--requests 300]

Uses TEST_DATABASE_URL when set (round trips are then not counted unless it is a Unix socket),
else the embedded server the tests use.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
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
from sqlalchemy.engine import make_url  # noqa: E402

from bench.cpu import BackendCpu, load_note  # noqa: E402
from bench.results import Figure, Scenario, record  # noqa: E402
from tests.samples import credit_code  # noqa: E402

CASES = ("unkeyed", "keyed", "replayed")
EXTRA_ROUND_TRIPS_TARGET = 3  # the lock, the record read, the record write


class RoundTripRelay:
    """A Unix-socket relay in front of PostgreSQL that counts round trips."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.directory = tempfile.mkdtemp(prefix="pg-relay-")
        self.round_trips = 0
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> str:
        name = Path(self.upstream).name
        self.server = await asyncio.start_unix_server(self._serve, f"{self.directory}/{name}")
        return self.directory

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_unix_connection(self.upstream)
        turn = {"client": False}  # has the client spoken since the server last answered?

        async def pump(reader, writer, from_client: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if from_client and not turn["client"]:
                        self.round_trips += 1
                    turn["client"] = from_client
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_r, server_w, True), pump(server_r, client_w, False))


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


async def measure(
    calls: dict[str, Callable[[], Awaitable[None]]], requests: int, dsn: str
) -> dict[str, dict[str, float]]:
    """Per case: process CPU, backend CPU and WAL bytes per request, interleaved in blocks of 10."""
    totals = {case: {"cpu": 0.0, "backend": 0.0, "wal": 0.0, "wall": []} for case in CASES}
    backends = BackendCpu(dsn)
    for _ in range(requests // 10):
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
    n = requests // 10 * 10
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
    url: str, requests: int, caller_for: Callable[[RunningService], dict[str, str]]
) -> dict[str, float] | None:
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if not socket_dir:
        return None
    relay = RoundTripRelay(f"{socket_dir}/.s.PGSQL.{parsed.port or 5432}")
    relayed = parsed.set(query={**parsed.query, "host": await relay.start()})
    try:
        async with running_service(
            SERVICE,
            database_url=relayed.render_as_string(hide_password=False),
            broker=InProcessBroker(),
            background=False,
        ) as service:
            calls = requester(service, caller_for(service), start=1_000_000)
            for case in CASES:  # warm up: connections open, statements prepared
                for _ in range(5):
                    await calls[case]()
            counts = {}
            for case in CASES:
                before = relay.round_trips
                for _ in range(requests):
                    await calls[case]()
                counts[case] = (relay.round_trips - before) / requests
            return counts
    finally:
        await relay.stop()


async def main(requests: int) -> None:
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
            figures = await measure(calls, requests, server.dsn(name))
        trips = await count_round_trips(url, 50, caller_for)
    finally:
        await server.drop_database(name)

    keyed, plain, replayed = figures["keyed"], figures["unkeyed"], figures["replayed"]
    rows = [
        Figure("process CPU per keyed POST", "ms", keyed["cpu_ms"], plain["cpu_ms"]),
        Figure("PostgreSQL CPU per keyed POST", "ms", keyed["backend_ms"], plain["backend_ms"]),
        Figure("WAL per keyed POST", "bytes", keyed["wal_bytes"], plain["wal_bytes"]),
        Figure("latency p50, keyed POST", "ms", keyed["wall_ms"], plain["wall_ms"]),
        Figure("process CPU per replayed POST", "ms", replayed["cpu_ms"], plain["cpu_ms"]),
        Figure("latency p50, replayed POST", "ms", replayed["wall_ms"], plain["wall_ms"]),
    ]
    met = True
    if trips is not None:
        plain_trips = trips["unkeyed"]
        rows[3:3] = [Figure("round trips per keyed POST", "1", trips["keyed"], plain_trips)]
        rows.append(Figure("round trips per replayed POST", "1", trips["replayed"], plain_trips))
        met = trips["keyed"] - trips["unkeyed"] <= EXTRA_ROUND_TRIPS_TARGET
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
                f"{requests} requests per case, one at a time, in-process httpx ASGI client; "
                "round trips over 50 more per case through a counting Unix-socket relay"
            ),
            notes=[
                "each keyed POST uses a new key; 'replayed' repeats one answered key",
                "CPU is the benchmark process's (service and client); PostgreSQL CPU its backends",
                load_note(),
            ],
        )
    )
    for case in CASES:
        print(
            case,
            {k: round(v, 3) for k, v in figures[case].items()},
            "round trips:",
            trips and trips[case],
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args().requests))
