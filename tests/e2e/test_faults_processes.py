"""Processes that die or come and go in the middle of the flow: nothing they had taken on is
lost, nothing is done twice.

SIGKILL runs no shutdown hook: a consumer dies between its database commit and its offset
commit (its successor reads those records again and the inbox absorbs them); a relay dies with
committed outbox rows it has not published (its successor publishes them). A second instance
of a consumer joining and the first leaving move partitions between members mid-stream."""

import asyncio
from dataclasses import dataclass

import pytest
from devkit.testing import eventually
from rights_api.app import SERVICE as RIGHTS_SERVICE
from servicekit.events.relay import LOCK_KEY

from tests.e2e.faults import connect
from tests.e2e.workload import Workload, gauge

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="module")]
RIGHTS = 24


async def test_restoration_killed_while_grants_stream_in_opens_each_fund_once(shared_system):
    [restoration] = shared_system.running("restoration")
    workload = await Workload(shared_system).begin()

    streaming = asyncio.create_task(workload.grant_all(range(RIGHTS)))
    opened = await eventually(
        lambda: funds_opened(workload), timeout=60, what="restoration-api opening funds"
    )
    restoration.kill()
    assert opened < RIGHTS, "every fund was open before the kill: not mid-stream"
    await asyncio.sleep(2)  # grants go on arriving on the topic while it is down
    await shared_system.restart(restoration)
    await streaming

    assert len(workload.rights) == RIGHTS
    await workload.settled()


async def test_rights_killed_between_commit_and_relay_publishes_each_event_once(shared_system):
    """The relay is held off (the test holds its advisory lock, as if another replica were
    relaying) so rights-api commits rights and their outbox rows and publishes none; then it is
    killed, the lock freed, and the restarted process's relay publishes what was committed."""
    [rights] = shared_system.running("rights")
    workload = Workload(shared_system)
    await eventually(lambda: workload.relayed("rights"), what="rights-api's outbox empty")
    rights.kill()
    lock = await connect(shared_system, "rights")
    await lock.fetchval("SELECT pg_advisory_lock($1)", LOCK_KEY)
    await shared_system.restart(rights)

    # the restarted process's startup jobs publish too (the yearly obligations of the mines
    # already registered): each run to the end first, so the backlog's growth is the grants'
    for job in RIGHTS_SERVICE.jobs:
        await eventually(
            lambda name=job.name: workload.job_run("rights", name), what=f"job {job.name}"
        )
    [before] = gauge(await workload.metrics("rights"), "outbox_backlog")
    await workload.begin()
    await workload.grant_all(range(RIGHTS // 2))
    unsent = gauge(await workload.metrics("rights"), "outbox_backlog")
    assert unsent == [before + 1 + 3 * (RIGHTS // 2)]  # the holder, each right, its filings
    assert await funds_opened(workload) == 0

    rights.kill()
    await lock.close()
    await shared_system.restart(rights)
    await workload.grant_all(range(RIGHTS // 2, RIGHTS))

    await workload.settled()


async def test_a_notifier_joining_and_the_first_dying_loses_and_doubles_nothing(shared_system):
    """The notifier's journal has no key of its own: only the inbox keeps a record that two
    members read from being written twice."""
    [first] = shared_system.running("notifier")
    workload = await Workload(shared_system).begin()
    await workload.grant_all(range(RIGHTS // 3))

    second = await shared_system.start("notifier")  # joins the group: partitions are split
    await eventually(lambda: assigned(shared_system, second), timeout=60, what="the split")
    joining = asyncio.create_task(workload.grant_all(range(RIGHTS // 3, 2 * RIGHTS // 3)))
    await eventually(
        lambda: split(shared_system, first, second), timeout=60, what="work for the second"
    )
    leaving = asyncio.create_task(workload.grant_all(range(2 * RIGHTS // 3, RIGHTS)))
    first.kill()  # leaves without a word: after the session timeout the second takes over
    # its partitions and reads again what the first applied but had not committed
    await asyncio.gather(joining, leaving)

    await workload.settled()
    assert shared_system.running("notifier") == [second]


async def funds_opened(workload: Workload) -> int:
    return len(await workload.funds())


async def applied(system, instance) -> float:
    """Records this instance applied (its own /metrics)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in await metric_lines(system, instance, "events_consumed_total")
        if 'outcome="applied"' in line
    )


@dataclass
class Split:
    """What each member applied, and the second's partitions with their lag: truthy once the
    second applied something (shown whole when it never does)."""

    first_applied: float
    second_applied: float
    second_lag: list[str]

    def __bool__(self) -> bool:
        return self.second_applied > 0


async def split(system, first, second) -> Split:
    return Split(
        await applied(system, first),
        await applied(system, second),
        await metric_lines(system, second, "consumer_lag{"),
    )


async def assigned(system, instance) -> bool:
    """The instance holds partitions (it reports their lag)."""
    return bool(await metric_lines(system, instance, "consumer_lag{"))


async def metric_lines(system, instance, prefix: str) -> list[str]:
    metrics = (await system.client.get(instance.metrics_url)).text
    return [line for line in metrics.splitlines() if line.startswith(prefix)]
