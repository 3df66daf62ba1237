"""The services the cross-service tests of rights-api start over the real broker, each on its
own fresh database and the test's topic prefix: rights-api with the notifier (a deadline's
journey to a reminder), or rights-api with restoration-api and greenmine-api (greenmine-api's
reference data seeded)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from devkit.testing import RunningService, running_service
from greenmine_api.app import SERVICE as GREENMINE
from notifier.app import SERVICE as NOTIFIER
from restoration_api.app import SERVICE as RESTORATION
from rights_api.app import SERVICE as RIGHTS

from tests.notifier.conftest import TEST_SETTINGS


@asynccontextmanager
async def rights_and_notifier(
    databases, kafka: str, topic_prefix: str, attachments_dir: Path
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    """(rights, notifier)."""
    shared = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}
    async with (
        running_service(
            NOTIFIER,
            database_url=await databases.create("notifier"),
            **TEST_SETTINGS,
            **shared,
        ) as notifier,
        running_service(
            RIGHTS,
            database_url=await databases.create("rights"),
            attachments_dir=attachments_dir,
            **shared,
        ) as rights,
    ):
        yield rights, notifier


@asynccontextmanager
async def three_services(
    databases, kafka: str, topic_prefix: str
) -> AsyncIterator[tuple[RunningService, RunningService, RunningService]]:
    """(rights, restoration, greenmine), greenmine-api's reference data seeded."""
    shared = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}
    async with (
        running_service(RIGHTS, database_url=await databases.create("rights"), **shared) as rights,
        running_service(
            RESTORATION, database_url=await databases.create("restoration"), **shared
        ) as restoration,
        running_service(
            GREENMINE, database_url=await databases.create("greenmine"), **shared
        ) as greenmine,
    ):
        async with greenmine.runtime.db.transaction() as session:
            await GREENMINE.seed(session)
        yield rights, restoration, greenmine
