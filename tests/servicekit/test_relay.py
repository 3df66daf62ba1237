"""One active relay per database; woken by NOTIFY; a standby takes over when the leader dies."""

import asyncio
import contextlib

import asyncpg
from contracts.rights import HolderRegistered
from devkit.inprocess import InProcessBroker
from devkit.testing import eventually
from servicekit.db import Database
from servicekit.events.envelope import CloudEvent
from servicekit.events.outbox import publish
from servicekit.events.relay import LOCK_KEY, Relay

SLOW_POLL = 30.0  # longer than any wait below: only NOTIFY can explain a prompt delivery


async def queue_event(db: Database, n: int) -> None:
    async with db.transaction() as session:
        await publish(
            session,
            HolderRegistered(
                holder_id=f"00000000-0000-4000-8000-{n:012d}",
                credit_code="91110000710925462X",
                name=f"holder {n}",
                registered_at="2026-11-28T00:00:00Z",
            ),
            subject=None,
            key=str(n),
        )


async def test_one_leader_publishes_each_row_once_and_a_standby_takes_over(databases):
    url = await databases.create("rights")
    db = Database(url, info={"event_source": "/services/test", "topic_prefix": ""})
    broker = InProcessBroker()
    delivered: list[str] = []

    async def record(record):
        delivered.append(CloudEvent.from_record(record).data["name"])

    await broker.subscribe("audit", ["rights.events"], record)
    relays = [Relay(dsn=db.asyncpg_dsn(), broker=broker, poll_seconds=0.2) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        await eventually(lambda: _async(any(r.is_leader for r in relays)), what="a leader")
        await asyncio.sleep(0.5)
        assert sum(r.is_leader for r in relays) == 1
        leader = next(r for r in relays if r.is_leader)
        standby = next(r for r in relays if not r.is_leader)
        leader.poll_seconds = SLOW_POLL  # from now on only NOTIFY wakes the leader promptly
        await asyncio.sleep(0.5)  # let it finish the wait that started with the short timeout

        for n in range(5):
            await queue_event(db, n)
        await eventually(lambda: _async(len(delivered) == 5), timeout=5, what="NOTIFY wake-up")

        conn = await asyncpg.connect(db.asyncpg_dsn())
        try:  # kill the leader's session, as a crashed replica would lose it
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = $1 AND granted",
                LOCK_KEY & 0xFFFFFFFF,
            )
        finally:
            await conn.close()
        await eventually(lambda: _async(standby.is_leader), what="the standby taking over")
        for n in range(5, 8):
            await queue_event(db, n)
        await eventually(lambda: _async(len(delivered) == 8), what="events after the failover")
        assert delivered == [f"holder {n}" for n in range(8)]
        assert not (leader.is_leader and standby.is_leader)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.dispose()


async def _async(value):
    return value
