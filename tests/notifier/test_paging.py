"""Every notifier collection walked two items at a time over more rows than a page: each
item comes exactly once, and ``next``, ``next_cursor`` and ``Link`` agree on every page."""

from datetime import date, timedelta

from servicekit.auth import Role

from tests.notifier.support import (
    HOLDER,
    WebhookReceiver,
    consume,
    deadline,
    serving,
    subscribe,
    sweep,
)
from tests.notifier.test_deadlines import at, filing_required
from tests.notifier.test_delivery import deliver
from tests.paging import once_each, walk

DUE = date(2026, 10, 10)
FIRST = at(date(2026, 9, 10))  # the 30-day reminder of DUE
USER = "inspector-wang"


async def test_every_collection_walks_page_by_page(notifier):
    for name in ("甲", "乙"):
        await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user=USER, name=name)
    await subscribe(notifier, channel="email", holder_id=HOLDER, email="a@example.cn", name="丙")
    ids = [f"filing:{n}" for n in range(3)]
    await consume(notifier, *(filing_required(deadline(i, due=DUE)) for i in ids))
    assert await sweep(notifier, FIRST) == 3

    admin = notifier.auth(Role.bureau_admin)
    walked = {
        path: once_each(await walk(notifier.client, path, headers=admin, limit=2))
        for path in ("/deadlines", "/subscriptions", "/alerts", "/admin/received-events")
    }
    assert sorted(walked["/deadlines"]) == ids
    assert len(walked["/subscriptions"]) == 3
    assert len(walked["/alerts"]) == 9  # three deadlines, three subscriptions each
    assert len(walked["/admin/received-events"]) == 3
    inbox = await walk(
        notifier.client, "/inbox", headers=notifier.auth(Role.inspector, subject=USER), limit=2
    )
    assert once_each(inbox) == sorted(once_each(inbox), reverse=True)  # newest first
    assert len(inbox) == 6
    own = await walk(
        notifier.client,
        "/deadlines",
        headers=notifier.auth(Role.enterprise, holder_id=HOLDER),
        limit=2,
    )
    assert sorted(once_each(own)) == ids


async def test_the_delivery_attempts_of_an_alert_walk_page_by_page(notifier):
    receiver = WebhookReceiver(statuses=[500, 503])
    async with serving(receiver.app()) as base:
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await consume(notifier, filing_required(deadline("filing:1", due=DUE)))
        assert await sweep(notifier, FIRST) == 1
        for hours in range(3):  # failed, failed, delivered: each retry is due within the hour
            assert await deliver(notifier, FIRST + timedelta(hours=hours)) == 1

    admin = notifier.auth(Role.bureau_admin)
    [alert] = (await notifier.client.get("/alerts", headers=admin)).json()["items"]
    attempts = await walk(
        notifier.client, f"/alerts/{alert['id']}/attempts", headers=admin, limit=2
    )
    once_each(attempts)
    assert [(a["outcome"], a["status_code"]) for a in attempts] == [
        ("failed", 500),
        ("failed", 503),
        ("delivered", 200),
    ]
    missing = await notifier.client.get("/alerts/999999/attempts", headers=admin)
    assert missing.status_code == 404
