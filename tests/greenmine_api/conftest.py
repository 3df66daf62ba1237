"""greenmine-api seeded with its reference data (the 2020 form, the 2021-2025 edition)."""

from collections.abc import AsyncIterator

import pytest
from devkit.testing import RunningService
from greenmine_api.seed import seed


@pytest.fixture
async def gm(greenmine: RunningService) -> AsyncIterator[RunningService]:
    async with greenmine.runtime.db.transaction() as session:
        await seed(session)
    yield greenmine
