"""Reminder sweep time with 1 000 000 stored deadlines of which 1 000 are due, against a
baseline in the same run: the same sweep over a database holding only those 1 000.

The sweep reads due work through the partial index ``deadlines_due_work``, so the ratio should
stay near 1 however many deadlines are stored. Each timed sweep runs in a transaction that is
rolled back, so every run finds the same 1 000 due. Rows are bulk-loaded with COPY.

    .venv/bin/python bench/notifier_sweep.py [--stored 1000000] [--due 1000] [--runs 5]

Uses ``DATABASE_URL`` (a server URL) if set, else the embedded PostgreSQL of the tests.
"""

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from notifier.app import SERVICE
from notifier.deadlines.service import sweep
from notifier.settings import NotifierSettings
from servicekit.localinfra.postgres import postgres_server
from servicekit.migrations import upgrade_async
from servicekit.runtime import service_database
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Erenhot
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


def rows(stored: int, due: int):
    """``due`` deadlines whose 30-day reminder is due at NOW; the rest later or finished."""
    holders = [str(uuid.uuid4()) for _ in range(500)]
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


async def prepare(server, name: str, stored: int, due: int) -> str:
    url = await server.create_database(name, replace=True)
    await upgrade_async(database_url=url, service_versions=SERVICE.migrations)
    import asyncpg

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
        print(f"  {name}: {stored:>9,} deadlines loaded in {time.perf_counter() - started:.1f}s")
    finally:
        await conn.close()
    return url


CLAIM = text(
    "SELECT * FROM deadlines WHERE next_fire_at <= :now "
    "ORDER BY next_fire_at LIMIT 5000 FOR UPDATE SKIP LOCKED"
).bindparams(now=NOW)


async def time_sweeps(url: str, due: int, runs: int) -> tuple[list[float], list[float], str]:
    """Whole sweeps (claim, plan, alerts), and the claim query alone."""
    settings = NotifierSettings(database_url=url)
    db = service_database(SERVICE, settings)
    timings, claims = [], []
    try:
        for run in range(runs + 1):  # the first warms caches and is not counted
            async with db.sessions() as session:
                await session.begin()
                started = time.perf_counter()
                claimed = len((await session.exec(CLAIM)).all())
                claim_elapsed = time.perf_counter() - started
                await session.rollback()
                await session.begin()
                started = time.perf_counter()
                handled = await sweep(session, NOW)
                elapsed = time.perf_counter() - started
                await session.rollback()
            assert handled == claimed == due, f"swept {handled}, expected {due}"
            if run:
                timings.append(elapsed)
                claims.append(claim_elapsed)
        async with db.sessions() as session:
            explain = text("EXPLAIN " + str(CLAIM)).bindparams(now=NOW)
            plan = "\n".join(r[0] for r in await session.exec(explain))
    finally:
        await db.dispose()
    return timings, claims, plan


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="DATABASE_URL")
    tag = uuid.uuid4().hex[:6]
    names = {"baseline": f"bench_{tag}_base", "large": f"bench_{tag}_large"}
    try:
        print("loading…")
        base_url = await prepare(server, names["baseline"], args.due, args.due)
        large_url = await prepare(server, names["large"], args.stored, args.due)
        base, base_claims, _ = await time_sweeps(base_url, args.due, args.runs)
        large, large_claims, plan = await time_sweeps(large_url, args.due, args.runs)
    finally:
        for name in names.values():
            await server.drop_database(name)
    for what, small, big in (
        ("whole sweep (claim, plan next step, 1 alert each)", base, large),
        ("claim query alone (index scan, row locks)", base_claims, large_claims),
    ):
        b, g = statistics.median(small), statistics.median(big)
        print(f"\n{what}, {args.due:,} due, median of {args.runs}:")
        print(f"  baseline, {args.due:>9,} stored: {b * 1000:8.1f} ms")
        print(f"  large,    {args.stored:>9,} stored: {g * 1000:8.1f} ms")
        print(f"  ratio large / baseline: {g / b:.2f}")
    print("\nclaim query plan on the large database:\n  " + plan.replace("\n", "\n  "))


if __name__ == "__main__":
    asyncio.run(main())
