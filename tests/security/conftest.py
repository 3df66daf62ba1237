"""Every service in turn, for tests that hold all four to the same rules."""

import pytest

from tests.conftest import in_process

SERVICES = ["rights", "restoration", "greenmine", "notifier"]


@pytest.fixture(params=SERVICES)
async def service(request, databases):
    async with in_process(databases, request.param) as running:
        yield running
