"""A service killed with SIGKILL in the middle of the flow and restarted: nothing it had taken
on is lost, nothing is done twice.

No shutdown hook runs on SIGKILL: a consumer dies between its database commit and its offset
commit (the restarted one reads those records again and its inbox absorbs them), a relay dies
with committed outbox rows it has not published (the restarted one publishes them)."""

import asyncio

import asyncpg
import pytest
from servicekit.events.relay import LOCK_KEY
from servicekit.testing import eventually
from sqlalchemy.engine import make_url

from tests.e2e.workload import Workload, gauge

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]
RIGHTS = 30


async def test_restoration_killed_while_grants_stream_in_opens_each_fund_once(system):
    await system.start_all()
    [restoration] = system.instances["restoration"]
    workload = Workload(system)
    await workload.register_holder()

    streaming = asyncio.create_task(workload.grant_all(range(RIGHTS)))
    opened = await eventually(
        lambda: funds_opened(workload), timeout=60, what="restoration-api opening funds"
    )
    restoration.kill()
    assert opened < RIGHTS, "every fund was open before the kill: not mid-stream"
    await asyncio.sleep(2)  # grants keep arriving on the topic while it is down
    await system.restart(restoration)
    await streaming

    assert len(workload.rights) == RIGHTS
    await workload.settled()


async def test_rights_killed_between_commit_and_relay_publishes_each_event_once(system):
    """The relay is held off (the test takes its advisory lock, as a standby replica would see
    it) so rights-api commits rights and their outbox rows but publishes none; then it is
    killed, the lock freed, and the restarted process's relay publishes what was committed."""
    await system.seed()
    await asyncio.gather(*(system.start(name) for name in ("restoration", "greenmine", "notifier")))
    dsn = make_url(system.database_urls["rights"]).set(drivername="postgresql")
    holder_of_lock = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    await holder_of_lock.fetchval("SELECT pg_advisory_lock($1)", LOCK_KEY)
    rights = await system.start("rights")

    workload = Workload(system)
    await workload.register_holder()
    await workload.grant_all(range(RIGHTS // 2))
    metrics = (await system.call("rights", "GET", "/metrics")).text
    assert gauge(metrics, "outbox_backlog")[0] >= 1 + 3 * (RIGHTS // 2)  # committed, unsent
    assert await funds_opened(workload) == 0

    rights.kill()
    await holder_of_lock.close()
    await system.restart(rights)
    await workload.grant_all(range(RIGHTS // 2, RIGHTS))

    await workload.settled()


async def funds_opened(workload: Workload) -> int:
    return len(await workload.funds())
