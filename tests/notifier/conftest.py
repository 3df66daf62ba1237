"""The notifier under test: its webhook allow-list names 127.0.0.1 only (the test receivers),
retries are quick, and its consumer is called directly unless a test runs it over Kafka."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from devkit.inprocess import InProcessBroker
from devkit.testing import RunningService, running_service
from notifier.app import SERVICE

TEST_SETTINGS = {
    "webhook_allowed_networks": ["127.0.0.1/32"],
    "delivery_retry_base_seconds": 60,
    "delivery_retry_max_seconds": 3600,
    "delivery_timeout_seconds": 5,
    "inbox_poll_seconds": 0.1,
}


@pytest.fixture
def start_notifier(databases) -> Callable[..., AbstractAsyncContextManager[RunningService]]:
    """Starts a notifier; ``url`` shares a database (a second replica), ``background`` runs its
    consumer, relay, jobs and delivery worker as deployed."""

    @asynccontextmanager
    async def start(
        url: str | None = None, *, background: bool = False, **settings
    ) -> AsyncIterator[RunningService]:
        url = url or await databases.create("notifier")
        broker = None if background else InProcessBroker()  # background: Kafka from settings
        async with running_service(
            SERVICE,
            database_url=url,
            broker=broker,
            background=background,
            **{**TEST_SETTINGS, **settings},
        ) as service:
            yield service

    return start


@pytest.fixture
async def notifier(start_notifier) -> AsyncIterator[RunningService]:
    async with start_notifier() as service:
        yield service
