"""Helpers for the market grant tests: the edition, an offering, a pinned Beijing day."""

import contextlib
from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from devkit.testing import RunningService
from servicekit import clock
from servicekit.auth import Role

BEIJING = ZoneInfo("Asia/Shanghai")


@contextlib.contextmanager
def on(day: date, hour: int = 10) -> Iterator[None]:
    """The clock pinned to ``hour`` o'clock Beijing time on ``day``."""
    with clock.pinned(datetime.combine(day, time(hour), BEIJING)):
        yield


def offering_body(block_id: str = "KQ-01", **changes) -> dict:
    body = {
        "block_id": block_id,
        "method": "listing",
        "reserve_price_yuan": "1200000.00",
        "deposit_yuan": "240000.00",
        "term_years": 10,
        "scale": {"value": "10", "unit": "10k_m3_per_year"},
    }
    body.update(changes)
    return body


async def offer(service: RunningService, block_id: str = "KQ-01", **changes):
    return await service.client.post(
        "/grant-offerings",
        json=offering_body(block_id, **changes),
        headers=service.auth(Role.bureau_admin),
    )


async def offered(service: RunningService, block_id: str = "KQ-01", **changes) -> dict:
    response = await offer(service, block_id, **changes)
    assert response.status_code == 201, response.text
    return response.json()
