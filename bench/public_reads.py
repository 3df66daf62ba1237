"""Conditional public reads: a ``304 Not Modified`` (``If-None-Match`` with the current ETag)
next to the full ``200`` of the same route, on rights-api served by uvicorn in its own process
with many rights: ``GET /rights.geojson`` (a bureau token; every right's boundary) and
``GET /zones`` (anonymous; the plan's zones). The two requests of a route are loaded with wrk
in alternating rounds (odd rounds start with the 304, even ones with the 200), so both see the
same machine load; each figure is the median of the rounds, and the notes list every round.

    .venv/bin/python bench/public_reads.py [--rights 500] [--rounds 5] [--seconds 5]
        [--connections 4]

Uses TEST_DATABASE_URL when set, else the embedded server the tests use.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import urllib.request
import uuid
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
from sqlalchemy import text  # noqa: E402

from bench.results import Figure, Scenario, record  # noqa: E402
from bench.serving import Load, Server, uvicorn, wrk, wrk_version  # noqa: E402
from tests.rights_api.support import SCJ001, add_right, holder, load_edition  # noqa: E402

TARGET = 1.0  # a 304 must at least beat the full answer it stands for


def create_app() -> FastAPI:
    """rights-api as ``servicekit.app.serve`` builds it, with the in-process broker."""
    settings = SERVICE.settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return build_app(SERVICE, settings, broker=InProcessBroker())


async def register(url: str, rights: int) -> None:
    """The plan, and ``rights`` rights: one through the API, the others copies of its row."""
    await upgrade_async(database_url=url, service_versions=SERVICE.migrations)
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        await load_edition(service)
        await add_right(service, await holder(service, 1), at=SCJ001)
        async with service.runtime.db.transaction() as session:
            columns = (
                await session.exec(
                    text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = 'rights' ORDER BY ordinal_position"
                    )
                )
            ).all()
            names = [c for (c,) in columns]
            copied = {"id": "gen_random_uuid()", "licence_no": "licence_no || '-' || n"}
            values = ", ".join(copied.get(c, c) for c in names)
            await session.exec(
                text(
                    f"INSERT INTO rights ({', '.join(names)}) SELECT {values} "
                    f"FROM rights, generate_series(2, {rights}) AS n"
                )
            )


def etag(server: Server, path: str, headers: dict[str, str]) -> tuple[str, int]:
    request = urllib.request.Request(server.url + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers["ETag"], len(answer.read())


def main(rights: int, rounds: int, seconds: int, connections: int) -> bool:
    configure_logging("WARNING", json=False)
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    name = f"bench_public_reads_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(server.create_database(name))
    token = mint_dev_token(SERVICE.settings(), role=Role.bureau_reviewer)
    routes = {
        "/rights.geojson": {"Authorization": f"Bearer {token}"},
        "/zones": {},
    }
    loads: dict[tuple[str, str], list[Load]] = {}
    sizes: dict[str, int] = {}
    try:
        asyncio.run(register(url, rights))
        api_env = {
            "RIGHTS_DATABASE_URL": url,
            "RIGHTS_LOG_LEVEL": "WARNING",
            # the load generator is one client: the anonymous-read limit is not measured here
            "RIGHTS_RATE_LIMIT_ANONYMOUS_READS": "100000000/minute",
        }
        logs = Path(tempfile.mkdtemp(prefix="bench-public-reads-"))
        with uvicorn(
            "rights-api", "bench.public_reads:create_app", api_env, logs / "api.log"
        ) as api:
            for path, headers in routes.items():
                tag, sizes[path] = etag(api, path, headers)
                kinds = {"200": headers, "304": {**headers, "If-None-Match": tag}}
                for kind_headers in kinds.values():  # warm up
                    wrk(api, path, kind_headers, seconds=2, connections=connections)
                for index in range(rounds):
                    order = ["304", "200"] if index % 2 == 0 else ["200", "304"]
                    for kind in order:
                        load = wrk(api, path, kinds[kind], seconds=seconds, connections=connections)
                        loads.setdefault((path, kind), []).append(load)
                        print(f"  {path:16} {kind} {load}")
    finally:
        asyncio.run(server.drop_database(name))

    figures, notes, ratios = [], [], {}
    for path in routes:
        hits, full = loads[(path, "304")], loads[(path, "200")]
        rps = [
            h.requests_per_second / f.requests_per_second for h, f in zip(hits, full, strict=True)
        ]
        ratios[path] = statistics.median(rps)
        figures += [
            Figure(
                f"{path} throughput, 304 vs 200",
                "requests/s",
                statistics.median(h.requests_per_second for h in hits),
                statistics.median(f.requests_per_second for f in full),
            ),
            Figure(
                f"{path} latency p50, 304 vs 200",
                "ms",
                statistics.median(h.p50_ms for h in hits),
                statistics.median(f.p50_ms for f in full),
            ),
            Figure(
                f"{path} server CPU per request, 304 vs 200",
                "ms",
                sum(h.cpu_seconds for h in hits) / sum(h.requests for h in hits) * 1000,
                sum(f.cpu_seconds for f in full) / sum(f.requests for f in full) * 1000,
            ),
        ]
        notes.append(
            f"{path}: throughput ratio 304/200 per round "
            + ", ".join(f"{r:.2f}" for r in rps)
            + f"; median {ratios[path]:.2f}, min–max {min(rps):.2f}–{max(rps):.2f} "
            f"(a 200 is {sizes[path]:,} bytes)"
        )
    met = all(r > TARGET for r in ratios.values())
    scenario = Scenario(
        name="public_reads",
        title="Conditional public reads: 304 Not Modified vs the full 200",
        baseline="the full 200 of the same route, same server, in alternating rounds",
        figures=figures,
        target=f"a 304 faster than the 200 it stands for (throughput ratio > {TARGET:.0f})",
        met=met,
        load_generator=f"wrk {wrk_version()}, 1 thread, {connections} connections, "
        f"{rounds} alternating rounds of {seconds} s per request kind (median)",
        notes=[
            f"rights-api (uvicorn, one worker) with {rights:,} rights; /rights.geojson with a "
            "bureau_reviewer token (private, no-cache: every request revalidates), /zones "
            "anonymous (public, max-age=60; the load generator revalidates anyway)",
            "A 304 reads the change stamp (one SELECT over change_totals and change_log) and "
            "runs neither the body's query nor its JSON; servicekit.http_cache",
            *notes,
        ],
    )
    record(scenario)
    print("throughput ratios 304/200: " + ", ".join(f"{p} {r:.2f}" for p, r in ratios.items()))
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rights", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    main(args.rights, args.rounds, args.seconds, args.connections)
