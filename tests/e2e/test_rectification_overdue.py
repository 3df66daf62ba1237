"""A restoration rectification that runs overdue in restoration-api suspends the green mine's
benefits in greenmine-api (第五章第二节二, 第六章第一节), over the real broker."""

from datetime import date, timedelta

import pytest
from servicekit.auth import Role
from servicekit.testing import eventually

from tests.e2e.journeys import (
    KAFKA,
    OILFIELD,
    at,
    deadline,
    deadlines,
    listing,
    listing_in,
    ok,
    seeded_mine,
    today,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]


async def test_an_overdue_restoration_rectification_suspends_the_green_mines_benefits(system):
    await system.start_all()
    oilfield = await seeded_mine(system, OILFIELD)  # on the green list since 2021-03-28
    listed = await eventually(
        lambda: listing(system, oilfield.right_id), timeout=KAFKA, what="the oilfield listed"
    )
    assert listed["status"] == "listed" and not listed["benefits_suspended"]

    due_on = today() + timedelta(days=14)
    reviewer = system.auth(Role.bureau_reviewer)
    order = ok(
        await system.call(
            "restoration",
            "POST",
            "/rectifications",
            json={
                "right_id": oilfield.right_id,
                "reason": "2026年度治理任务未完成：井场复垦未按方案实施",
                "due_on": due_on.isoformat(),
            },
            headers=reviewer,
        ),
        201,
    )

    owed = await deadline(system, f"restoration:rectification:{order['id']}", "open")
    assert owed["kind"] == "restoration_rectification"
    assert owed["due_at"] == due_on.isoformat()

    # the last day passes unresolved: nothing yet on the due day, overdue the day after
    assert await system.run_job("restoration", "rectification_overdue", now=at(due_on, 23)) == 0
    day_after = due_on + timedelta(days=1)
    assert await system.run_job("restoration", "rectification_overdue", now=at(day_after)) == 1
    overdue = ok(
        await system.call("restoration", "GET", f"/rectifications/{order['id']}", headers=reviewer)
    )
    assert overdue["status"] == "overdue"
    await deadline(system, owed["id"], "overdue")  # the notifier alerts the holder

    suspended = await listing_in(system, oilfield.right_id, "rectifying")
    assert suspended["id"] == listed["id"]
    assert suspended["benefits_suspended"] is True
    [case] = suspended["rectifications"]
    assert case["reason"] == "restoration_rectification_overdue"
    assert case["status"] == "open"
    ordered_on = date.fromisoformat(case["ordered_on"])
    assert date.fromisoformat(case["due_on"]) > ordered_on  # 6 months to rectify (第六章第一节)

    # the green-mine rectification is itself a deadline the holder is reminded of
    async def green_case():
        found = [
            d
            for d in await deadlines(system, oilfield.right_id, "open")
            if d["kind"] == "green_mine_rectification"
        ]
        return found[0] if found else None

    green = await eventually(green_case, timeout=KAFKA, what="the green-mine case's deadline")
    assert green["due_at"] == case["due_on"]

    # once, however often the job runs again
    assert await system.run_job("restoration", "rectification_overdue", now=at(day_after, 12)) == 0
    still = await listing(system, oilfield.right_id)
    assert len(still["rectifications"]) == 1
