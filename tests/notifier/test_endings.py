"""A licence the bureau's expiry job marks expired (rights.right.expired) carries the licence's
expiry deadline, which the notifier kept from the grant, as overdue: the holder is alerted once."""

from datetime import UTC, date, datetime
from uuid import uuid4

from contracts.rights import RightExpired, RightGranted

from tests.notifier.support import HOLDER, RIGHT, alerts, consume, deadline, sql, subscribe, sweep


async def test_an_expired_licence_is_an_overdue_deadline_for_its_holder(notifier):
    await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="u-holder")
    licence = "C1525012019060000000123"
    common = {"right_id": RIGHT, "holder_id": HOLDER, "licence_no": licence}
    mine = "二连浩特市乌希根楚二号建筑用花岗岩矿"
    granted = RightGranted(
        **common,
        kind="mining",
        mine_name=mine,
        mineral="construction_granite",
        area_km2="0.0386",
        status="producing",
        licensing_level="city",
        valid_from=date(2021, 2, 1),
        valid_to=date(2026, 1, 31),
        granted_at=datetime(2021, 2, 1, tzinfo=UTC),
    )
    expired = RightExpired(
        **common,
        mine_name=mine,
        ending_id=uuid4(),
        from_status="producing",
        status="expired",
        reason="采矿许可证有效期届满未延续",
        ended_at=datetime(2026, 3, 2, 16, 0, tzinfo=UTC),
        valid_to=date(2026, 1, 31),
        grace_days=30,
        deadline=deadline(
            f"licence-expiry:{RIGHT}",
            kind="licence_expiry",
            due=date(2026, 1, 31),
            action="overdue",
            title=f"许可证{licence}有效期届满",
        ),
    )
    await consume(notifier, granted, expired)
    [(kind, state)] = await sql(notifier, "SELECT kind, state FROM deadlines")
    assert (kind, state) == ("licence_expiry", "overdue")
    now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert await sweep(notifier, now) >= 1
    assert await sweep(notifier, now) == 0
    overdue = [a for a in await alerts(notifier) if a["step"] == "overdue"]
    assert [(a["stage"], a["title"][:4]) for a in overdue] == [("overdue", "【逾期】")]
    assert f"许可证{licence}有效期届满" in overdue[0]["title"]
