"""Domain events reach a government system over the real broker, end to end: rights-api writes
them to its outbox (its relay publishes to Kafka), the notifier consumes, logs and delivers
them to a real HTTP endpoint that verifies every signature (`standardwebhooks`) and parses
every CloudEvent (the `cloudevents` SDK). In order per mine, through a broker outage and
through the endpoint's own outage with a replay; the pollable feed gives the same events in
the same order across a restart of the notifier."""

import pytest
from contracts import EventPayload
from devkit.testing import RunningService, eventually
from servicekit.events import outbox

from tests.notifier.event_support import (
    SANHAO,
    WUXIGEN,
    GovernmentEndpoint,
    closed,
    feed,
    gov,
    granted,
    subscribe_events,
)
from tests.notifier.support import free_port, serving, sql

pytestmark = pytest.mark.kafka
THIRD = "d4b6e3f0-0c3a-4e77-9c50-3b2f6d3b4c32"
TYPES = ["rights.right.granted", "rights.mine.closed"]
QUICK_RETRIES = {
    "delivery_poll_seconds": 0.2,
    "delivery_retry_base_seconds": 0.2,
    "delivery_retry_max_seconds": 0.5,
    "delivery_max_attempts": 3,
}


async def publish(rights: RunningService, payload: EventPayload) -> None:
    """As rights-api publishes: the event row in its outbox, sent on by its relay."""
    async with rights.runtime.db.transaction() as session:
        await outbox.publish(session, payload, subject=str(payload.right_id))


async def received(endpoint: GovernmentEndpoint, count: int, what: str) -> None:
    async def arrived():
        return len(endpoint.events) >= count

    await eventually(arrived, timeout=120, what=what)


async def test_a_government_system_hears_of_grants_and_closures_through_both_outages(
    databases, on_kafka, start_notifier, kafka, topic_prefix, controlled_kafka
):
    endpoint = GovernmentEndpoint()
    port = free_port()
    notifier_db = await databases.create("notifier")
    settings = {"kafka_bootstrap_servers": kafka, "topic_prefix": topic_prefix, **QUICK_RETRIES}
    async with (
        on_kafka("rights") as rights,
        start_notifier(notifier_db, background=True, **settings) as notifier,
    ):
        async with serving(endpoint.app(), port) as base:
            made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
            endpoint.secret = made["secret"]
            await publish(rights, granted(WUXIGEN))
            await received(endpoint, 1, "the granted right at the government system")

            controlled_kafka.stop()  # the broker goes down; rights-api's outbox keeps events
            try:
                await publish(rights, closed(WUXIGEN))
                await publish(rights, granted(SANHAO))
            finally:
                controlled_kafka.start()
            await received(endpoint, 3, "the events written during the broker outage")
            assert endpoint.per_subject() == {
                WUXIGEN: ["rights.right.granted", "rights.mine.closed"],
                SANHAO: ["rights.right.granted"],
            }
        # mines go in parallel, so arrival order is not log order: the point up to which the
        # system holds everything is the log's position when all three had arrived
        held = await feed(notifier, gov(notifier), types=",".join(TYPES))
        assert {e["id"] for e in held["events"]} == {e.webhook_id for e in endpoint.events}
        last_processed = held["next"]

        # the endpoint is down: attempts fail until they are dead letters
        await publish(rights, granted(THIRD))
        await publish(rights, closed(THIRD))
        await publish(rights, closed(SANHAO))

        async def given_up():
            rows = await sql(
                notifier,
                "SELECT count(*) FROM event_deliveries WHERE status = 'dead' AND attempts = 3",
            )
            return rows == [(3,)]

        await eventually(given_up, timeout=120, what="three dead letters while it was down")

        async with serving(endpoint.app(), port):
            path = f"/event-subscriptions/{made['id']}/replay"
            replay = await notifier.client.post(
                path, json={"from": last_processed}, headers=gov(notifier)
            )
            assert replay.status_code == 202, replay.text
            assert replay.json()["queued"] == 3
            await received(endpoint, 6, "the replayed events")
        assert endpoint.refused == []
        assert endpoint.per_subject() == {
            WUXIGEN: ["rights.right.granted", "rights.mine.closed"],
            SANHAO: ["rights.right.granted", "rights.mine.closed"],
            THIRD: ["rights.right.granted", "rights.mine.closed"],
        }
        assert len({e.webhook_id for e in endpoint.events}) == 6
        before_restart = await feed(notifier, gov(notifier), types=",".join(TYPES))

    # the feed is the same, in the same order, from a new notifier process on the same database
    async with start_notifier(notifier_db, background=True, **settings) as restarted:
        after_restart = await feed(restarted, gov(restarted), types=",".join(TYPES))
        assert after_restart == before_restart
        events = after_restart["events"]
        assert {e["id"] for e in events} == {e.webhook_id for e in endpoint.events}
        # each mine's events in the order they happened, as the endpoint received them
        in_feed: dict[str, list[str]] = {}
        for event in events:
            in_feed.setdefault(event["subject"], []).append(event["type"])
        assert in_feed == endpoint.per_subject()
        # a cursor given out before the restart still reads on from there
        rest = await feed(restarted, gov(restarted), after=events[2]["cursor"], types=TYPES[0])
        assert [e["id"] for e in rest["events"]] == [
            e["id"] for e in events[3:] if e["type"] == TYPES[0]
        ]
