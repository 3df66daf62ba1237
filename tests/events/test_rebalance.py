"""Two members of one consumer group: partitions move between them mid-stream, and every event
is applied exactly once (finished work is committed on revocation; the inbox absorbs repeats)."""

import pytest
from devkit.testing import eventually, running_service
from notifier.app import SERVICE as NOTIFIER
from rights_api.app import SERVICE as RIGHTS
from servicekit.events.kafka import KafkaBroker

from tests.events.support import journal, register, sql

pytestmark = pytest.mark.kafka


async def test_a_rebalance_in_the_middle_loses_and_doubles_nothing(databases, kafka, topic_prefix):
    rights_url = await databases.create("rights")
    notifier_url = await databases.create("notifier")

    def member(client_id: str):
        return running_service(
            NOTIFIER,
            database_url=notifier_url,
            topic_prefix=topic_prefix,
            broker=KafkaBroker(kafka, client_id=client_id),
        )

    async with (
        running_service(
            RIGHTS,
            database_url=rights_url,
            topic_prefix=topic_prefix,
            broker=KafkaBroker(kafka, client_id="rights"),
        ) as rights,
        member("notifier-a") as first,
    ):
        holders = [await register(rights, serial) for serial in range(10)]
        async with member("notifier-b") as second:  # joins: the partitions are split
            await eventually(lambda: _has_partitions(second), what="partitions for the second")
            holders += [await register(rights, serial) for serial in range(10, 30)]
            await eventually(lambda: _count(first, 30), timeout=60, what="30 events")
            assert _applied(second) > 0, "the second member never got work: no rebalance"
        # the second member left: its partitions come back to the first
        holders += [await register(rights, serial) for serial in range(30, 40)]
        entries = await eventually(lambda: _count(first, 40), timeout=60, what="40 events")

        assert sorted(e["data"]["holder_id"] for e in entries) == sorted(h["id"] for h in holders)
        assert await sql(first, "SELECT count(*), count(DISTINCT event_id) FROM inbox") == [
            (40, 40)
        ]


async def _has_partitions(member) -> bool:
    [subscription] = member.runtime.subscriptions.values()
    return bool(subscription.consumer and subscription.consumer.assignment())


def _applied(member) -> float:
    return sum(
        sample.value
        for metric in member.runtime.metrics.events_consumed.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["outcome"] == "applied"
    )


async def _count(notifier, expected: int):
    entries = await journal(notifier)
    assert len(entries) <= expected, f"{len(entries)} entries: something was applied twice"
    return len(entries) == expected and entries
