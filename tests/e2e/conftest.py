from collections.abc import AsyncIterator

import pytest

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
