"""Fault: the Kafka broker stopped for 30 s in the middle of the life of a mine.

While it is down the APIs keep answering writes (each state change and its event are one
transaction in the outbox), readiness reports the broker down, and nothing is published.
When it returns, the relays send the backlog, the consumers catch up, and the flow completes.
Then the whole system is audited: every outbox sent, every event applied exactly once by each
consumer that handles it, no dead letters, one fund per right, ledgers exact, one listing."""

import asyncio
import time
from contextlib import asynccontextmanager

import pytest
from prometheus_client.parser import text_string_to_metric_families
from servicekit.auth import Role

from tests.e2e.audit import nothing_lost_nothing_doubled
from tests.e2e.journeys import life_of_a_mine, ok
from tests.e2e.system import SERVICES

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(480)]
OUTAGE_SECONDS = 30


async def test_the_broker_down_for_30_seconds_mid_flow_loses_and_doubles_nothing(
    system, controlled_kafka
):
    await system.start_all()
    seen: dict[str, int] = {}

    @asynccontextmanager
    async def broker_down():
        await asyncio.to_thread(controlled_kafka.stop)
        stopped = time.monotonic()
        try:
            yield  # the flow's writes: answered while the broker is away
            for service in SERVICES:
                ready = await system.call(service, "GET", "/readyz")
                assert ready.status_code == 503, ready.text
                assert ready.json()["checks"]["broker"].startswith("down")
                # alive all the same: an orchestrator must not restart it for the broker
                assert (await system.call(service, "GET", "/healthz")).status_code == 200
            seen["restoration backlog"] = await gauge(system, "restoration", "outbox_backlog")
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        finally:
            await asyncio.to_thread(controlled_kafka.start)
        seen["outage seconds"] = round(time.monotonic() - stopped)

    mine = await life_of_a_mine(system, outage=broker_down)

    # accrual, deposit and expenditure (and the shortfall) waited in the outbox, in plain
    # sight of the operators' metrics
    assert seen["restoration backlog"] >= 4, seen
    assert seen["outage seconds"] >= OUTAGE_SECONDS, seen
    applied = await nothing_lost_nothing_doubled(system)
    assert all(applied[s] > 0 for s in ("restoration", "greenmine", "notifier")), applied

    # the mine's story, each step exactly once, as the services tell it
    fund = ok(
        await system.call(
            "restoration",
            "GET",
            "/funds",
            params={"right_id": mine.right_id},
            headers=system.auth(Role.bureau_admin),
        )
    )["items"][0]
    transfers = ok(
        await system.call(
            "restoration",
            "GET",
            f"/funds/{fund['id']}/transfers",
            headers=system.auth(Role.bureau_admin),
        )
    )["items"]
    assert sorted(t["kind"] for t in transfers) == ["accrual", "deposit", "expenditure"]
    assert fund["status"] == "closed" and fund["balances"]["available"] == "69000.00"
    for service in SERVICES:
        assert (await system.call(service, "GET", "/readyz")).status_code == 200
        assert await gauge(system, service, "outbox_backlog") == 0


async def gauge(system, service: str, name: str) -> float:
    """A gauge from the service's /metrics, as Prometheus scrapes it."""
    text = await system.metrics(service)
    [family] = [f for f in text_string_to_metric_families(text) if f.name == name]
    return sum(sample.value for sample in family.samples)
