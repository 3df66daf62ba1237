"""Ledger postings per second, next to a plain asyncpg insert of the same rows.

The ledger posts each transfer in its own transaction through ``post_transfer``: idempotency
lookup, checks, the transfer row, two conditional balance updates (row locks), two entries, the
outbox event, and the deferred balance triggers at commit. The baseline writes the same transfer
row and two entry rows with asyncpg, one transaction each, with no check at all. The ratio says
what the guarantees cost.

    .venv/bin/python bench/restoration_ledger.py [--postings 500] [--concurrency 8] [--funds 1]

Uses DATABASE_URL (postgresql+asyncpg://...) when set, else the embedded server of the tests.
"""

import argparse
import asyncio
import hashlib
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from restoration_api.app import SERVICE
from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import AccountCode, Fund
from restoration_api.ledger.schemas import TransferCreate
from restoration_api.mines.models import Mine
from servicekit.localinfra.postgres import postgres_server
from servicekit.migrations import upgrade
from servicekit.runtime import service_database
from sqlmodel import select

ROOT = Path(__file__).resolve().parents[1]


async def setup(url: str, funds: int):
    db = service_database(SERVICE, SERVICE.settings(database_url=url))
    return db, [await open_fund(db) for _ in range(funds)]


async def open_fund(db):
    now = datetime.now(UTC)
    async with db.transaction() as session:
        mine = Mine(
            right_id=uuid.uuid4(),
            holder_id=uuid.uuid4(),
            licence_no="C1525012010057130066321",
            mine_name="二连浩特市乌希根楚二号建筑用花岗岩矿",
            kind="mining",
            mineral="construction_granite",
            method="open_pit",
            status="producing",
            area_km2="0.0386",
            updated_at=now,
        )
        session.add(mine)
        await session.flush()
        fund = await ledger.open_mine_fund(session=session, mine=mine, now=now)
    return fund.id


async def run_ledger(db, fund_ids, n: int, concurrency: int) -> float:
    queue = list(range(n))

    async def worker():
        while queue:
            fund_id = fund_ids[queue.pop() % len(fund_ids)]
            async with db.transaction() as session:
                fund = (await session.exec(select(Fund).where(Fund.id == fund_id))).one()
                await ledger.post_transfer(
                    session=session,
                    fund=fund,
                    data=TransferCreate(id=uuid.uuid4(), kind="deposit", amount="100.00"),
                    posted_by="bench",
                    now=datetime.now(UTC),
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


async def run_plain(dsn: str, fund_id, n: int, concurrency: int) -> float:
    """The same rows for one fund (no lock is taken, so the number of funds does not matter)."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    accounts = dict(await pool.fetch("SELECT code, id FROM accounts WHERE fund_id = $1", fund_id))
    cash, deposits = accounts[AccountCode.cash], accounts[AccountCode.deposits]
    digest = hashlib.sha256(b"bench").hexdigest()
    queue = list(range(n))

    async def worker():
        while queue:
            queue.pop()
            tid = uuid.uuid4()
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO transfers (id, fund_id, kind, amount_fen, request_hash,"
                    " posted_by, posted_at) VALUES ($1, $2, 'deposit', 10000, $3, 'bench', now())",
                    tid,
                    fund_id,
                    digest,
                )
                await conn.executemany(
                    "INSERT INTO entries (transfer_id, account_id, side, amount_fen)"
                    " VALUES ($1, $2, $3, 10000)",
                    [(tid, cash, "debit"), (tid, deposits, "credit")],
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    rate = n / (time.perf_counter() - started)
    await pool.close()
    return rate


async def main(postings: int, concurrency: int, funds: int) -> None:
    import os

    if os.environ.get("DATABASE_URL"):
        pg = postgres_server(ROOT / ".data" / "bench-postgres")
    else:
        pg = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    name = f"bench_restoration_{uuid.uuid4().hex[:6]}"
    url = await pg.create_database(name, replace=True)
    try:
        await asyncio.to_thread(upgrade, database_url=url, service_versions=SERVICE.migrations)
        db, fund_ids = await setup(url, funds)
        await run_ledger(db, fund_ids, 20, concurrency)  # warm-up
        ledger_rate = await run_ledger(db, fund_ids, postings, concurrency)
        plain_rate = await run_plain(db.asyncpg_dsn(), fund_ids[0], postings, concurrency)
        async with db.transaction() as session:
            fund = await session.get(Fund, fund_ids[0])
            report = await ledger.verify(session=session, fund=fund, now=datetime.now(UTC))
        await db.dispose()
        print(f"postings: {postings}, concurrency: {concurrency}, funds: {funds}")
        print(f"ledger post_transfer : {ledger_rate:8.1f} postings/s")
        print(f"plain asyncpg insert : {plain_rate:8.1f} postings/s (same rows, no checks)")
        print(f"ratio ledger/plain   : {ledger_rate / plain_rate:8.2f}")
        # the plain rows bypass the balances, so verify must see the difference
        print(f"verify after the plain rows reports ok={report.ok} (expected False)")
    finally:
        await pg.drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--funds", type=int, default=1, help="1: every posting queues on one hot cash row"
    )
    args = parser.parse_args()
    asyncio.run(main(args.postings, args.concurrency, args.funds))
