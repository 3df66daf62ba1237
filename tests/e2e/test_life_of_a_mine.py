"""The life of a mine across the four services, as separate processes over the real broker,
driven only over HTTP: registered, applied, granted, funded, listed green, reminded, closed."""

import pytest

from tests.e2e.journeys import life_of_a_mine

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(420)]


async def test_the_life_of_a_mine(system):
    await system.start_all()
    await life_of_a_mine(system)
