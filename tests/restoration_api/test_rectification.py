"""Rectification orders: ordered with a deadline, overdue published by the job, resolved."""

from datetime import UTC, date, datetime, timedelta

from servicekit.auth import Role

from tests.restoration_api.support import admin, enterprise, grant, published


async def order(restoration, right_id, due_on):
    return await restoration.client.post(
        "/rectifications",
        json={"right_id": right_id, "reason": "2026年度治理任务未完成", "due_on": str(due_on)},
        headers=restoration.auth(Role.bureau_reviewer),
    )


async def test_an_unresolved_order_past_its_date_publishes_overdue_once(restoration):
    fund = await grant(restoration)
    due = date.today() + timedelta(days=30)
    response = await order(restoration, fund["right_id"], due)
    assert response.status_code == 201, response.text
    rect = response.json()
    [ordered] = await published(restoration, "restoration.rectification.ordered")
    assert ordered["deadline"]["due_at"] == str(due)
    assert ordered["deadline"]["audience"]["holder_id"] == fund["holder_id"]

    on_the_day = datetime.combine(due, datetime.min.time(), UTC) + timedelta(hours=3)
    assert await restoration.runtime.run_job("rectification_overdue", now=on_the_day) == 0
    later = on_the_day + timedelta(days=1)
    assert await restoration.runtime.run_job("rectification_overdue", now=later) == 1
    assert await restoration.runtime.run_job("rectification_overdue", now=later) == 0
    [overdue] = await published(restoration, "restoration.rectification.overdue")
    assert overdue["rectification_id"] == rect["id"]
    assert overdue["deadline"]["action"] == "overdue"
    assert overdue["deadline"]["id"] == ordered["deadline"]["id"]

    resolved = await restoration.client.post(
        f"/rectifications/{rect['id']}/resolve",
        json={"resolution": "已完成削坡及覆土，复查合格"},
        headers=restoration.auth(Role.bureau_reviewer),
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    [met] = await published(restoration, "restoration.rectification.resolved")
    assert met["deadline"]["action"] == "met"


async def test_a_resolved_order_is_never_overdue(restoration):
    fund = await grant(restoration)
    rect = (await order(restoration, fund["right_id"], date.today() + timedelta(days=5))).json()
    await restoration.client.post(
        f"/rectifications/{rect['id']}/resolve",
        json={"resolution": "done"},
        headers=admin(restoration),
    )
    far = datetime.now(UTC) + timedelta(days=60)
    assert await restoration.runtime.run_job("rectification_overdue", now=far) == 0
    assert await published(restoration, "restoration.rectification.overdue") == []


async def test_orders_are_the_bureaus_and_enterprises_see_their_own(restoration):
    fund = await grant(restoration)
    other = await grant(restoration)
    mine = (await order(restoration, fund["right_id"], date.today() + timedelta(days=9))).json()
    await order(restoration, other["right_id"], date.today() + timedelta(days=9))
    own = await restoration.client.get(
        "/rectifications", headers=enterprise(restoration, fund["holder_id"])
    )
    assert [r["id"] for r in own.json()["items"]] == [mine["id"]]
    foreign = await restoration.client.get(
        f"/rectifications/{mine['id']}", headers=enterprise(restoration, other["holder_id"])
    )
    assert foreign.status_code == 404
    self_order = await restoration.client.post(
        "/rectifications",
        json={"right_id": fund["right_id"], "reason": "x", "due_on": "2099-01-01"},
        headers=enterprise(restoration, fund["holder_id"]),
    )
    assert self_order.status_code == 403
    past = await order(restoration, fund["right_id"], date(2020, 1, 1))
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "body.due_on"
