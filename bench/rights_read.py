"""``GET /rights/{id}`` with a token: requests per second and p50/p99 latency from wrk against
rights-api served by uvicorn in its own process (JSON logs at INFO, one worker), next to a bare
ASGI app running the same SQL through asyncpg (bench/bare_rights.py) on the same uvicorn,
database and row. The two are loaded in alternating rounds (the order rotating each round) so
both see the same machine load; each figure is the median of the rounds, each ratio the median of
the rounds' ratios with their min–max. The servers' own CPU time comes from /proc.

    .venv/bin/python bench/rights_read.py [--rounds 6] [--seconds 5] [--connections 16]

Uses TEST_DATABASE_URL when set, else the embedded server the tests use.
"""

import argparse
import asyncio
import math
import sys
import tempfile
import uuid
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.inprocess import InProcessBroker  # noqa: E402
from devkit.localinfra.postgres import postgres_server  # noqa: E402
from devkit.testing import running_service  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from rights_api.app import SERVICE  # noqa: E402
from servicekit.app import build_app  # noqa: E402
from servicekit.auth import Role, mint_dev_token  # noqa: E402
from servicekit.logs import configure_logging  # noqa: E402
from servicekit.migrations import upgrade_async  # noqa: E402

from bench.cpu import load_note  # noqa: E402
from bench.results import MIN_ROUNDS, Figure, Scenario, record  # noqa: E402
from bench.serving import Load, uvicorn, wrk, wrk_version  # noqa: E402
from tests.rights_api.support import SCJ001, add_right, holder  # noqa: E402

TARGET = 0.6


def create_app() -> FastAPI:
    """rights-api as ``servicekit.app.serve`` builds it from the environment, with the
    in-process broker instead of Kafka (a GET publishes nothing; the relay idles either way)."""
    settings = SERVICE.settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return build_app(SERVICE, settings, broker=InProcessBroker())


async def one_right(url: str) -> str:
    """A fresh register holding one mining right; its id."""
    await upgrade_async(database_url=url, service_versions=SERVICE.migrations)
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        owner = await holder(service, 1)
        right = await add_right(service, owner, at=SCJ001)
    return right["id"]


def per_request_ms(load: Load) -> float:
    return load.cpu_seconds / load.requests * 1000


def by_round(
    name: str, unit: str, read: Callable[[Load], float], loads: list[Load], baselines: list[Load]
) -> Figure:
    """``loads[i]`` next to ``baselines[i]``, both measured in round i."""
    return Figure.rounds(name, unit, [read(x) for x in loads], [read(x) for x in baselines])


def main(rounds: int, seconds: int, connections: int) -> bool:
    configure_logging("WARNING", json=False)
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    name = f"bench_rights_read_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(server.create_database(name))
    try:
        right_id = asyncio.run(one_right(url))
        token = mint_dev_token(SERVICE.settings(), role=Role.bureau_reviewer)
        headers = {"Authorization": f"Bearer {token}"}
        api_env = {
            "RIGHTS_DATABASE_URL": url,
            "RIGHTS_LOG_LEVEL": "INFO",
            "RIGHTS_LOG_JSON": "true",
        }
        logs = Path(tempfile.mkdtemp(prefix="bench-rights-read-"))
        with (
            uvicorn("rights-api", "bench.rights_read:create_app", api_env, logs / "api.log") as api,
            uvicorn(
                "bare",
                "bench.bare_rights:create_app",
                {"BARE_DSN": server.dsn(name)},
                logs / "bare.log",
                health=f"/rights/{right_id}",
            ) as bare,
            uvicorn(
                "fastapi",
                "bench.bare_rights:create_fastapi_app",
                {"BARE_DSN": server.dsn(name)},
                logs / "fastapi.log",
                health=f"/rights/{right_id}",
            ) as floor,
        ):
            path = f"/rights/{right_id}"
            for target in (api, bare, floor):  # warm up: connections open, code paths hot
                wrk(target, path, headers, seconds=2, connections=connections)
            loads: dict[str, list[Load]] = {"rights-api": [], "bare": [], "fastapi": []}
            for index in range(rounds):
                order = (api, bare, floor)
                for target in order[index % 3 :] + order[: index % 3]:
                    load = wrk(target, path, headers, seconds=seconds, connections=connections)
                    loads[target.name].append(load)
                    print(f"  {target.name:10} {load}")
        log_lines = (logs / "api.log").read_text().count('"request"')
    finally:
        asyncio.run(server.drop_database(name))

    api_loads, bare_loads, floor_loads = loads["rights-api"], loads["bare"], loads["fastapi"]
    rps_of, p50_of, p99_of = (attrgetter(a) for a in ("requests_per_second", "p50_ms", "p99_ms"))
    throughput = by_round("throughput", "requests/s", rps_of, api_loads, bare_loads)
    rps = throughput.ratio
    cpu, cpu_bare = (sum(x.cpu_seconds for x in loads) for loads in (api_loads, bare_loads))
    floor = "reference: FastAPI alone, same SQL —"
    figures = [
        throughput,
        by_round("latency p50", "ms", p50_of, api_loads, bare_loads),
        by_round("latency p99", "ms", p99_of, api_loads, bare_loads),
        by_round("server CPU per request", "ms", per_request_ms, api_loads, bare_loads),
        by_round(f"{floor} throughput", "requests/s", rps_of, floor_loads, bare_loads),
        by_round(f"{floor} server CPU per request", "ms", per_request_ms, floor_loads, bare_loads),
    ]
    scenario = Scenario(
        name="rights_read",
        title="GET /rights/{id} with a token",
        baseline="a bare ASGI app (bench/bare_rights.py) running the same SELECT through an "
        "asyncpg pool, on the same uvicorn, database and row",
        figures=figures,
        target=f"throughput ratio ≥ {TARGET}",
        met=rps >= TARGET,
        server_cpu_seconds=cpu,
        baseline_cpu_seconds=cpu_bare,
        load_generator=f"wrk {wrk_version()}, 1 thread, {connections} connections, "
        f"{rounds} rounds of {seconds} s per server, servers in rotating order (median of the "
        "rounds)",
        notes=[
            load_note(),
            "rights-api: uvicorn --factory bench.rights_read:create_app (the deployed app with "
            "the in-process broker), one worker, JSON logs at "
            f"INFO ({log_lines} access log lines written), a bureau_reviewer bearer token on "
            "every request (its signature checked once, then remembered until it expires)",
            "rights-api serves this GET as a hot read (servicekit.hot_reads): past the "
            "request-context middleware (request id, traceparent, access log line, latency "
            "metric) and the token check, one prepared SELECT on a read-only asyncpg connection "
            "and the response model's JSON, without FastAPI's router, dependencies or the ORM; "
            "every answer but a 200 comes from the FastAPI route, as before",
            "The reference rows (not the target) serve the same SELECT from the smallest "
            "FastAPI app on the same uvicorn (bench/bare_rights.py create_fastapi_app): what "
            "the framework alone costs",
        ],
    )
    record(scenario)
    low, high = min(throughput.ratios), max(throughput.ratios)
    print(f"throughput ratio {rps:.2f} ({low:.2f}–{high:.2f}) (target ≥ {TARGET})")
    return scenario.met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # at least MIN_ROUNDS, a multiple of 3: each order as often
    parser.add_argument("--rounds", type=int, default=3 * math.ceil(MIN_ROUNDS / 3))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    main(args.rounds, args.seconds, args.connections)
