"""Two real services talking through a real broker: rights-api publishes, notifier consumes."""

from collections.abc import AsyncIterator

import pytest
from notifier.app import SERVICE as NOTIFIER
from rights_api.app import SERVICE as RIGHTS
from servicekit.events.kafka import KafkaBroker
from servicekit.testing import RunningService, running_service


@pytest.fixture
async def kafka_pair(
    databases, kafka, topic_prefix
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    rights_url = await databases.create("rights")
    notifier_url = await databases.create("notifier")
    async with (
        running_service(
            RIGHTS,
            database_url=rights_url,
            topic_prefix=topic_prefix,
            broker=KafkaBroker(kafka, client_id="rights"),
        ) as rights,
        running_service(
            NOTIFIER,
            database_url=notifier_url,
            topic_prefix=topic_prefix,
            broker=KafkaBroker(kafka, client_id="notifier"),
        ) as notifier,
    ):
        yield rights, notifier
