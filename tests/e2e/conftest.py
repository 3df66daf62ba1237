import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.conftest import Databases
from tests.e2e.system import SERVICES, System


@pytest.fixture
async def system(databases, kafka, topic_prefix, tmp_path) -> AsyncIterator[System]:
    """The four services' databases, migrated and empty; tests start the processes they need."""
    system = System(kafka=kafka, topic_prefix=topic_prefix, logs=tmp_path)
    for name in SERVICES:
        system.database_urls[name] = await databases.create(name)
    try:
        yield system
    finally:
        await system.close()
        print(system.log_tails())  # shown by pytest only when the test failed


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def started_system(pg, templates, kafka, tmp_path_factory) -> AsyncIterator[System]:
    """One seeded and started system shared by the tests of a module (mark them
    ``pytest.mark.asyncio(loop_scope="module")``): for flows that leave each other's mines
    alone, so the processes start once."""
    databases = Databases(pg, templates)
    system = System(
        kafka=kafka,
        topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
        logs=tmp_path_factory.mktemp("e2e"),
    )
    for name in SERVICES:
        system.database_urls[name] = await databases.create(name)
    try:
        await system.start_all()
        yield system
    finally:
        await system.close()
        print(system.log_tails())
        for name in databases.created:
            await pg.drop_database(name)
