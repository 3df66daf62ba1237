"""The one clock: UTC now, the local (Asia/Shanghai) date, and a pin tests move it with."""

from datetime import UTC, datetime, timedelta

import pytest
from servicekit import clock
from servicekit.auth import Role

from tests.samples import credit_code

NEW_YEAR_IN_ERENHOT = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January there


def test_the_local_date_is_erenhots_whatever_the_servers_zone():
    assert clock.local_today(NEW_YEAR_IN_ERENHOT).isoformat() == "2027-01-01"
    with clock.pinned(NEW_YEAR_IN_ERENHOT):
        assert clock.now() == NEW_YEAR_IN_ERENHOT
        assert clock.local_today().isoformat() == "2027-01-01"
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # the pin ended


def test_a_pin_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"), clock.pinned(datetime(2027, 1, 1)):
        pass


async def test_a_pinned_clock_stamps_what_a_service_writes(rights):
    with clock.pinned(NEW_YEAR_IN_ERENHOT):
        response = await rights.client.post(
            "/holders",
            json={"credit_code": credit_code(91), "name": "二连浩特市元旦矿业有限公司"},
            headers=rights.auth(Role.bureau_admin),
        )
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["created_at"]) == NEW_YEAR_IN_ERENHOT
