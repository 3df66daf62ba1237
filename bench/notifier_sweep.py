"""The notifier's reminder-sweep job with 1 000 000 stored deadlines of which 1 000 are due,
next to a baseline in the same run: the same job on a database holding only those 1 000.

Each timed run is the job as the scheduler runs it (its transaction, advisory lock, claim,
next steps, one inbox alert per due deadline, commit). Before each run, untimed, the 1 000 are
made due again and their alerts removed, so every run does the same work; runs alternate between
the two databases (each pair of runs is a round) and the figures are the rounds' medians, each
ratio the median of the rounds' ratios with their min–max. The databases are loaded with COPY
once and kept (named after the rows and the migrations) so later runs skip the load;
``--fresh`` reloads.

    .venv/bin/python bench/notifier_sweep.py [--stored 1000000] [--due 1000] [--runs 9] [--fresh]

Uses ``DATABASE_URL`` (a server URL) if set, else the embedded PostgreSQL of the tests.
"""

import argparse
import asyncio
import hashlib
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from devkit.localinfra.postgres import postgres_server
from notifier.app import SERVICE, SWEEP
from notifier.settings import NotifierSettings
from servicekit.jobs import Scheduler
from servicekit.metrics import ServiceMetrics
from servicekit.migrations import upgrade_async
from servicekit.runtime import service_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu import BackendCpu, load_note
from results import MIN_ROUNDS, Figure, Scenario, record

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Erenhot
TARGET_MS = 200
COLUMNS = [
    "id",
    "kind",
    "subject",
    "holder_id",
    "title_zh",
    "due_at",
    "state",
    "next_step",
    "next_fire_at",
    "last_event_type",
]
ROWS_VERSION = "1"  # change when rows() changes: the cached databases are then rebuilt


def rows(stored: int, due: int):
    """``due`` deadlines whose 30-day reminder is due at NOW; the rest later or finished."""
    holders = [str(uuid.UUID(int=n + 1)) for n in range(500)]
    for i in range(stored):
        holder = holders[i % len(holders)]
        if i < due:
            due_at, fire, state, step = (
                date(2027, 3, 31),
                NOW - timedelta(minutes=i % 60),
                "open",
                "reminder-30",
            )
        elif i % 5 == 0:  # met or cancelled long ago: no step ahead
            due_at, fire, state, step = (
                date(2026, 1, 1) + timedelta(days=i % 300),
                None,
                "met",
                None,
            )
        else:  # open, reminders months or years ahead
            due_at = date(2027, 4, 15) + timedelta(days=i % 1500)
            fire, state, step = (
                datetime.combine(due_at - timedelta(days=30), datetime.min.time(), UTC),
                "open",
                "reminder-30",
            )
        yield (
            f"bench:{i}",
            "annual_mining_plan",
            holder,
            holder,
            f"二连浩特市第{i}号矿 年度采掘计划报送",
            due_at,
            state,
            step,
            fire,
            "rights.filing.required",
        )


def schema_digest() -> str:
    """Changes when a migration of the notifier or of servicekit changes."""
    digest = hashlib.sha256(ROWS_VERSION.encode())
    for folder in (SERVICE.migrations, ROOT / "libs/servicekit/src/servicekit/migrations"):
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


async def existing_databases(server) -> set[str]:
    conn = await asyncpg.connect(server.dsn("postgres"))
    try:
        return {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def database(server, stored: int, due: int, fresh: bool) -> str:
    """The URL of a database holding ``stored`` deadlines, ``due`` of them due: loaded once."""
    name = f"bench_sweep_{stored}_{due}_{schema_digest()}"
    present = await existing_databases(server)
    for stale in present:
        if stale.startswith(f"bench_sweep_{stored}_{due}_") and stale != name:
            await server.drop_database(stale)
    if name in present and not fresh:
        return server.url(name)
    url = await server.create_database(name, replace=True)
    await upgrade_async(database_url=url, service_versions=SERVICE.migrations)
    conn = await asyncpg.connect(server.dsn(name))
    try:
        started = time.perf_counter()
        await conn.copy_records_to_table("deadlines", records=rows(stored, due), columns=COLUMNS)
        # one bureau-wide inbox: every due deadline makes one alert
        await conn.execute(
            "INSERT INTO subscriptions (id, name, channel, inbox_user, language, active, "
            "created_by, version, created_at, updated_at) VALUES ($1, '市局值班', 'inbox', "
            "'duty-officer', 'zh', true, 'bench', 1, now(), now())",
            uuid.uuid4(),
        )
        await conn.execute("VACUUM ANALYZE deadlines")
        print(f"  {name}: {stored:,} deadlines loaded in {time.perf_counter() - started:.1f}s")
    finally:
        await conn.close()
    return url


async def make_due_again(dsn: str, due: int) -> None:
    """Undo the previous run: the same ``due`` deadlines due at NOW, no alerts."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE deadlines SET reminded_lead = NULL, next_step = 'reminder-30', "
            "next_fire_at = $1::timestamptz"
            " - make_interval(mins => split_part(id, ':', 2)::int % 60) "
            "WHERE id = ANY($2)",
            NOW,
            [f"bench:{i}" for i in range(due)],
        )
        await conn.execute("DELETE FROM alerts")
        await conn.execute("VACUUM ANALYZE deadlines, alerts")
    finally:
        await conn.close()


class Sweeps:
    """One database's scheduler and the figures of its timed runs."""

    def __init__(self, url: str, due: int) -> None:
        self.db = service_database(SERVICE, NotifierSettings(database_url=url), pool_size=2)
        self.scheduler = Scheduler(
            service=SERVICE.name, db=self.db, jobs=SERVICE.jobs, metrics=ServiceMetrics("bench")
        )
        self.dsn, self.due = self.db.asyncpg_dsn(), due
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.db_cpu: list[float | None] = []

    async def run(self, timed: bool) -> None:
        await make_due_again(self.dsn, self.due)
        backends = BackendCpu(self.dsn)
        await backends.start()
        cpu, started = time.process_time(), time.perf_counter()
        handled = await self.scheduler.run_job(SWEEP, now=NOW)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_cpu = await backends.stop()
        conn = await asyncpg.connect(self.dsn)
        try:
            alerts = await conn.fetchval("SELECT count(*) FROM alerts")
            due_now = await conn.fetchval(
                "SELECT count(*) FROM deadlines WHERE next_fire_at <= $1", NOW
            )
        finally:
            await conn.close()
        assert handled == alerts == self.due, f"swept {handled}, {alerts} alerts, not {self.due}"
        assert due_now == 0, f"{due_now} deadlines still due after the sweep"
        if timed:
            self.wall.append(wall)
            self.cpu.append(cpu)
            self.db_cpu.append(db_cpu)

    async def claim_plan(self) -> str:
        conn = await asyncpg.connect(self.dsn)
        try:
            rows = await conn.fetch(
                "EXPLAIN SELECT id FROM deadlines WHERE next_fire_at <= $1 "
                "ORDER BY next_fire_at LIMIT 5000 FOR UPDATE SKIP LOCKED",
                NOW,
            )
        finally:
            await conn.close()
        return "\n".join(r[0] for r in rows)

    def ms(self, values: list) -> list[float] | None:
        return None if None in values else [1000 * v for v in values]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=9, help=f"rounds, at least {MIN_ROUNDS}")
    parser.add_argument("--fresh", action="store_true", help="reload the cached databases")
    args = parser.parse_args()
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="DATABASE_URL")
    print("databases (loaded once, then reused)…")
    base = Sweeps(await database(server, args.due, args.due, args.fresh), args.due)
    large = Sweeps(await database(server, args.stored, args.due, args.fresh), args.due)
    try:
        for sweeps in (base, large):  # warm-up: connections, statements, caches
            await sweeps.run(timed=False)
        for _ in range(args.runs):
            for sweeps in (base, large):
                await sweeps.run(timed=True)
        plan = await large.claim_plan()
    finally:
        await base.db.dispose()
        await large.db.dispose()

    figures = [
        Figure.rounds("sweep job, wall time", "ms", large.ms(large.wall), base.ms(base.wall)),  # type: ignore[arg-type]
        Figure.rounds("sweep job, process CPU", "ms", large.ms(large.cpu), base.ms(base.cpu)),  # type: ignore[arg-type]
    ]  # fmt: skip
    db_cpu, db_cpu_base = large.ms(large.db_cpu), base.ms(base.db_cpu)
    if db_cpu is not None and db_cpu_base is not None:
        figures.append(Figure.rounds("sweep job, PostgreSQL CPU", "ms", db_cpu, db_cpu_base))
    wall = figures[0].value
    scenario = Scenario(
        name="notifier_sweep",
        title=f"Deadline sweep: {args.stored:,} stored, {args.due:,} due (notifier)",
        baseline=f"the same job on a database holding only the {args.due:,} due deadlines",
        figures=figures,
        target=f"≤ {TARGET_MS} ms with {args.stored:,} stored and {args.due:,} due",
        met=wall <= TARGET_MS,
        server_cpu_seconds=sum(large.cpu) + sum(c or 0 for c in large.db_cpu),
        baseline_cpu_seconds=sum(base.cpu) + sum(c or 0 for c in base.db_cpu),
        load_generator=f"the scheduler's run_job, {args.runs} alternating runs per database, "
        "median of the rounds",
        notes=[
            "each run: claim (partial index deadlines_due_work, FOR UPDATE SKIP LOCKED), next "
            "steps, one UPDATE for the batch, one INSERT of its alerts, commit",
            "server CPU = the sweeping process plus its PostgreSQL backends, over all runs; "
            "PostgreSQL CPU is read from /proc in 10 ms ticks, so its rounds spread widely",
            load_note(),
            "claim plan on the large database: "
            + " ← ".join(
                line.strip().removeprefix("->").split("(cost=")[0].strip()
                for line in plan.splitlines()
                if "(cost=" in line
            ),
        ],
    )
    record(scenario)
    for f in figures:
        print(f"{f.name:44s} {f.value:8.1f} {f.unit}  baseline {f.baseline:8.1f}  "
              f"ratio {f.ratio:5.2f}")  # type: ignore[str-format]  # fmt: skip
    print(f"target {scenario.target}: {'met' if scenario.met else 'NOT met'}")
    print("claim query plan on the large database:\n  " + plan.replace("\n", "\n  "))


if __name__ == "__main__":
    asyncio.run(main())
