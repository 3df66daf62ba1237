"""The same slice through the in-process broker that `make dev` uses, across restarts."""

import asyncio
from contextlib import asynccontextmanager

from devkit.inprocess import InProcessBroker
from devkit.testing import eventually, running_service
from notifier.app import SERVICE as NOTIFIER
from rights_api.app import SERVICE as RIGHTS

from tests.events.support import journal, register, sql


@asynccontextmanager
async def dev_process(rights_url: str, notifier_url: str, *, with_notifier: bool = True):
    """One life of the `make dev` process: a fresh broker, the services on their databases."""
    broker = InProcessBroker()
    broker.expect("notifier", ["rights.events"])
    async with running_service(RIGHTS, database_url=rights_url, broker=broker) as rights:
        if not with_notifier:
            yield rights, None
            return
        async with running_service(NOTIFIER, database_url=notifier_url, broker=broker) as notifier:
            yield rights, notifier


async def unsent(rights) -> int:
    return (await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))[0][0]


async def test_a_row_is_marked_sent_only_after_the_consumer_committed(databases):
    rights_url, notifier_url = await databases.create("rights"), await databases.create("notifier")
    async with dev_process(rights_url, notifier_url) as (rights, notifier):
        holder = await register(rights, 1)
        [entry] = await eventually(lambda: journal(notifier), what="delivery")
        assert entry["data"]["holder_id"] == holder["id"]
        await eventually(lambda: _is_zero(unsent(rights)), what="row marked sent")
        assert await sql(notifier, "SELECT count(*) FROM inbox") == [(1,)]


async def test_events_written_before_the_consumer_attached_survive_a_restart(databases):
    rights_url, notifier_url = await databases.create("rights"), await databases.create("notifier")
    async with dev_process(rights_url, notifier_url, with_notifier=False) as (rights, _):
        holders = [await register(rights, serial) for serial in range(3)]
        await asyncio.sleep(1)  # the relay tries, and must keep the rows
        assert await unsent(rights) == 3

    async with dev_process(rights_url, notifier_url) as (rights, notifier):

        async def all_three():
            entries = await journal(notifier)
            return len(entries) == 3 and entries

        entries = await eventually(all_three, what="the three events after the restart")
        assert [e["data"]["holder_id"] for e in entries] == [h["id"] for h in holders]
        await eventually(lambda: _is_zero(unsent(rights)), what="rows marked sent")


async def test_a_restart_between_consuming_and_marking_sent_repeats_but_does_not_double(databases):
    rights_url, notifier_url = await databases.create("rights"), await databases.create("notifier")
    async with dev_process(rights_url, notifier_url) as (rights, notifier):

        async def crash(conn, ids):
            raise RuntimeError("process killed before marking the rows sent")

        rights.runtime.relay.mark_sent = crash
        await register(rights, 5)
        await eventually(lambda: journal(notifier), what="first delivery")
        assert await unsent(rights) == 1

    async with dev_process(rights_url, notifier_url) as (rights, notifier):
        await eventually(lambda: _is_zero(unsent(rights)), what="row sent after the restart")
        assert len(await journal(notifier)) == 1
        assert await sql(notifier, "SELECT count(*) FROM inbox") == [(1,)]


async def _is_zero(count) -> bool:
    return await count == 0
