"""Two real services talking through a real broker: rights-api publishes, notifier consumes."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from devkit.testing import RunningService, running_service
from notifier.app import SERVICE as NOTIFIER
from rights_api.app import SERVICE as RIGHTS

Pair = tuple[RunningService, RunningService]


@pytest.fixture
def start_pair(databases, kafka, topic_prefix) -> Callable[..., AbstractAsyncContextManager[Pair]]:
    """Starts rights-api and the notifier on fresh databases over the real broker, each making
    its Kafka client from its settings as in production.
    ``relay=False`` leaves rights-api's relay to the test."""

    @asynccontextmanager
    async def start(*, relay: bool = True) -> AsyncIterator[Pair]:
        rights_url = await databases.create("rights")
        notifier_url = await databases.create("notifier")
        async with (
            running_service(
                RIGHTS,
                database_url=rights_url,
                topic_prefix=topic_prefix,
                kafka_bootstrap_servers=kafka,
                background=relay,
            ) as rights,
            running_service(
                NOTIFIER,
                database_url=notifier_url,
                topic_prefix=topic_prefix,
                kafka_bootstrap_servers=kafka,
            ) as notifier,
        ):
            yield rights, notifier

    return start


@pytest.fixture
async def kafka_pair(start_pair) -> AsyncIterator[Pair]:
    async with start_pair() as pair:
        yield pair
