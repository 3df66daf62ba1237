"""Admission check latency with 50 000 rights in the register, against a baseline measured in
the same run: the same check on an empty register, the two interleaved request by request so
both see the same machine load. The runs are split into rounds (``--rounds``); every figure is
the median of the rounds' figures, its ratio the median of the rounds' ratios with min–max.

    .venv/bin/python bench/rights_admission.py [--rights 50000] [--runs 300] [--rounds 5]

The rights are spread over the city (random squares of 0.02-0.2 km², seeded, so every run
builds the same register), the applicant's ground is the SCJ001 example. What grows with the
register is the overlap search (GiST bounding-box prefilter + shapely exact test) and the cap
counts (one grouped aggregate over live mining rights). The ratio is the number to watch:
machines differ, ratios much less. Uses TEST_DATABASE_URL when set, else the embedded server
the tests use.
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from devkit.inprocess import InProcessBroker  # noqa: E402
from devkit.localinfra.postgres import postgres_server  # noqa: E402
from devkit.testing import running_service  # noqa: E402
from rights_api.app import SERVICE  # noqa: E402
from servicekit.auth import Role  # noqa: E402
from servicekit.logs import configure_logging  # noqa: E402
from servicekit.migrations import upgrade_async  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.cpu import load_note  # noqa: E402
from bench.results import MIN_ROUNDS, Figure, Scenario, record  # noqa: E402
from tests.rights_api.support import holder, load_edition, mining_request  # noqa: E402

TARGET_P95_MS = 20.0
TOKENS: dict[int, dict[str, str]] = {}  # one token per client, as a real client keeps its own

FILL = """
INSERT INTO rights (id, licence_no, kind, holder_id, mine_name, mineral, area_km2,
    computed_area_km2, scale_value, scale_unit, method, status, valid_from, valid_to,
    licensing_level, boundary, boundary_illustrative, min_lon, min_lat, max_lon, max_lat,
    reference, version, created_at, updated_at)
SELECT gen_random_uuid(), 'C152501' || lpad(n::text, 16, '0'), 'mining', $1,
    'bench ' || n, (ARRAY['construction_granite','construction_sand','slate','agate',
    'brick_clay'])[1 + n % 5], side * side * 93, side * side * 93, 6, '10k_m3_per_year',
    'open_pit', (ARRAY['producing','suspended','closed','under_construction'])[1 + n % 4],
    DATE '2019-01-01', DATE '2029-12-31', 'city',
    jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(jsonb_build_array(
        jsonb_build_array(lon, lat), jsonb_build_array(lon + side, lat),
        jsonb_build_array(lon + side, lat + side * 0.73), jsonb_build_array(lon, lat + side * 0.73),
        jsonb_build_array(lon, lat)))),
    true, lon, lat, lon + side, lat + side * 0.73, false, 1, now(), now()
FROM (
    SELECT n, 111.36 + random() * 1.10 AS lon, 42.96 + random() * 0.82 AS lat,
           0.0018 + random() * 0.0040 AS side
    FROM generate_series(1, $2) AS n
) AS spread
"""


async def timed(service, body: dict) -> float:
    headers = TOKENS.setdefault(id(service), service.auth(Role.bureau_reviewer))
    start = time.perf_counter()
    response = await service.client.post("/applications/check", json=body, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.text
    return elapsed


def percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[94]


@asynccontextmanager
async def service_on_fresh_database(server, name: str):
    url = await server.create_database(name)
    try:
        await upgrade_async(database_url=url, service_versions=SERVICE.migrations)
        async with running_service(
            SERVICE, database_url=url, broker=InProcessBroker(), background=False
        ) as service:
            await load_edition(service)
            yield service
    finally:
        await server.drop_database(name)


async def main(count: int, runs: int, rounds: int) -> None:
    configure_logging("WARNING", json=False)
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    run = uuid.uuid4().hex[:8]
    full_db = f"bench_rights_full_{run}"
    async with (
        service_on_fresh_database(server, f"bench_rights_empty_{run}") as empty,
        service_on_fresh_database(server, full_db) as full,
    ):
        bodies = {}
        for service in (empty, full):
            bodies[id(service)] = mining_request(await holder(service, 1))
        owner = bodies[id(full)]["holder_id"]
        conn = await asyncpg.connect(server.dsn(full_db))  # no command timeout: a slow fill
        async with conn.transaction():
            started = time.perf_counter()
            await conn.execute("SELECT setseed(0.2025)")
            await conn.execute(FILL, uuid.UUID(owner), count)
            filled_in = time.perf_counter() - started
        # what autovacuum does to a table that grew: statistics and the visibility map
        await conn.execute("VACUUM ANALYZE rights")
        await conn.close()
        async with full.runtime.db.transaction() as session:
            plan = "\n".join(
                row[0]
                for row in await session.exec(
                    text(
                        "EXPLAIN SELECT id FROM rights WHERE box(point(min_lon, min_lat), "
                        "point(max_lon, max_lat)) && box(point(111.67, 43.52), "
                        "point(111.69, 43.54))"
                    )
                )
            )
        # round → service → latencies
        timings: list[dict[int, list[float]]] = [
            {id(empty): [], id(full): []} for _ in range(rounds)
        ]
        cpu_started = time.process_time()
        for _ in range(10):  # warm up both: plan parsed, connections open
            for service in (empty, full):
                await timed(service, bodies[id(service)])
        for index in range(runs):  # interleaved, so both see the same machine load
            order = (empty, full) if index % 2 else (full, empty)
            for service in order:
                latency = await timed(service, bodies[id(service)])
                timings[index * rounds // runs][id(service)].append(latency)
        cpu = time.process_time() - cpu_started
        result = (
            await full.client.post(
                "/applications/check",
                json=bodies[id(full)],
                headers=full.auth(Role.bureau_reviewer),
            )
        ).json()

    empties = [percentiles(r[id(empty)]) for r in timings]  # (p50, p95) per round
    fulls = [percentiles(r[id(full)]) for r in timings]
    p50 = Figure.rounds("latency p50", "ms", [f[0] for f in fulls], [e[0] for e in empties])
    p95 = Figure.rounds("latency p95", "ms", [f[1] for f in fulls], [e[1] for e in empties])
    (p50_full, p50_empty), (p95_full, p95_empty) = (
        (p50.value, p50.baseline),
        (p95.value, p95.baseline),
    )
    print(f"admission check (POST /applications/check), {runs} interleaved runs each")
    print(f"  baseline, empty register : p50 {p50_empty:7.2f} ms   p95 {p95_empty:7.2f} ms")
    print(f"  {count:>6} rights          : p50 {p50_full:7.2f} ms   p95 {p95_full:7.2f} ms")
    print(
        f"  ratio                    : p50 {p50_full / p50_empty:7.2f} x   "
        f"p95 {p95_full / p95_empty:7.2f} x"
    )
    print(
        f"  register filled in {filled_in:.1f}s; overlap prefilter uses the GiST index: "
        f"{'rights_bbox' in plan}"
    )
    violations = [v["code"] for v in result["violations"]]
    print(f"  violations with the full register: {violations}")
    record(
        Scenario(
            name="rights_admission",
            title=f"Admission check (POST /applications/check) with {count:,} existing rights",
            baseline="the same check on an empty register, interleaved request by request",
            figures=[p50, p95],
            target=f"p95 ≤ {TARGET_P95_MS:.0f} ms with {count:,} rights",
            met=p95_full <= TARGET_P95_MS,
            server_cpu_seconds=cpu,
            load_generator=f"{runs} checks per register in {rounds} rounds, one at a time, "
            "in-process HTTP client (httpx ASGI transport: no network, no uvicorn); median of "
            "the rounds",
            notes=[
                load_note(),
                "CPU time is the benchmark process's (both services and the client) over "
                f"{2 * runs} checks: {cpu / (2 * runs) * 1000:.1f} ms per check",
                f"register filled in {filled_in:.1f} s; the overlap prefilter uses the GiST "
                f"index: {'rights_bbox' in plan}; violations found with the full register: "
                + ", ".join(violations),
            ],
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rights", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=300, help="per register, over all rounds")
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    args = parser.parse_args()
    asyncio.run(main(args.rights, args.runs, args.rounds))
