"""The closure saga's restoration step (第六章第二节三): a closure application opens a case; only a
passed closure acceptance, after the closure plan, publishes acceptance.passed with closure=true;
the fund closes once rights-api reports the mine closed."""

import uuid

from servicekit.auth import Role

from tests.restoration_api.support import (
    admin,
    closure_filed,
    deliver,
    grant,
    mine_closed,
    published,
    transfer,
)

CLOSURE_PLAN = {
    "kind": "closure",
    "title": "乌希根楚二号建筑用花岗岩矿 闭坑矿山环境恢复治理方案",
    "estimated_cost": "90000.00",
    "area_ha": "3.86",
    "schedule": [{"year": 2026, "cost": "90000.00", "area_ha": "3.86"}],
}


async def inspect(restoration, right_id, passed, **extra):
    body = {
        "right_id": right_id,
        "closure": True,
        "passed": passed,
        "accepted_area_ha": "3.86" if passed else "0",
        "inspected_on": "2026-06-18",
        **extra,
    }
    return await restoration.client.post(
        "/acceptances", json=body, headers=restoration.auth(Role.inspector)
    )


async def test_acceptance_passed_is_released_only_after_the_plan_and_a_passing_inspection(
    restoration,
):
    fund = await grant(restoration)
    right_id, holder_id = fund["right_id"], fund["holder_id"]
    application_id = uuid.uuid4()
    await deliver(restoration, closure_filed(right_id, holder_id, application_id))
    await deliver(restoration, closure_filed(right_id, holder_id, application_id))  # replay
    [case] = (
        await restoration.client.get(
            "/closure-cases", params={"right_id": right_id}, headers=admin(restoration)
        )
    ).json()["items"]
    assert case["status"] == "open"
    assert case["application_id"] == str(application_id)
    assert case["closure_plan_id"] is None

    no_plan = await inspect(restoration, right_id, True)
    assert no_plan.status_code == 409
    assert "闭坑" in no_plan.json()["detail"]
    assert await published(restoration, "restoration.acceptance.passed") == []

    plan = await restoration.client.post(
        "/plans",
        json={**CLOSURE_PLAN, "right_id": right_id},
        headers=enterprise_of(restoration, holder_id),
    )
    assert plan.status_code == 201, plan.text

    failed = await inspect(restoration, right_id, False, reasons=["覆土厚度不足30cm"])
    assert failed.status_code == 201, failed.text
    [fail_event] = await published(restoration, "restoration.acceptance.failed")
    assert fail_event["closure"] is True
    assert fail_event["application_id"] == str(application_id)
    assert fail_event["reasons"] == ["覆土厚度不足30cm"]
    assert await published(restoration, "restoration.acceptance.passed") == []

    passed = await inspect(restoration, right_id, True)
    assert passed.status_code == 201, passed.text
    [event] = await published(restoration, "restoration.acceptance.passed")
    assert event["closure"] is True
    assert event["right_id"] == right_id
    assert event["application_id"] == str(application_id)
    assert event["case_id"] == case["id"]
    assert event["accepted_area_ha"] == "3.86"
    decided = (
        await restoration.client.get(f"/closure-cases/{case['id']}", headers=admin(restoration))
    ).json()
    assert decided["status"] == "passed"
    assert decided["acceptance_id"] == passed.json()["id"]
    # the case is decided: another closure acceptance has no open case
    assert (await inspect(restoration, right_id, True)).status_code == 422

    # rights-api closes the mine; the fund closes, and only then can money go back
    await transfer(restoration, fund["id"], "deposit", "1000.00")
    await deliver(restoration, mine_closed(uuid.UUID(right_id), uuid.UUID(holder_id)))
    [closed] = await published(restoration, "restoration.fund.closed")
    assert closed["fund_id"] == fund["id"]
    after = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()
    assert after["status"] == "closed"
    assert (await transfer(restoration, fund["id"], "deposit", "1.00")).status_code == 409
    refund = await transfer(restoration, fund["id"], "refund", "1000.00")
    assert refund.status_code == 201, refund.text
    assert (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]["available"] == "0.00"


async def test_no_refund_before_the_closure_acceptance(restoration):
    fund = await grant(restoration)
    await transfer(restoration, fund["id"], "deposit", "1000.00")
    refund = await transfer(restoration, fund["id"], "refund", "1000.00")
    assert refund.status_code == 409


async def test_a_mine_closed_without_an_accepted_closure_keeps_its_fund_open(restoration):
    fund = await grant(restoration)
    await deliver(
        restoration, mine_closed(uuid.UUID(fund["right_id"]), uuid.UUID(fund["holder_id"]))
    )
    after = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()
    assert after["status"] == "open"
    assert await published(restoration, "restoration.fund.closed") == []


async def test_an_ordinary_acceptance_publishes_without_closure(restoration):
    fund = await grant(restoration)
    response = await restoration.client.post(
        "/acceptances",
        json={
            "right_id": fund["right_id"],
            "passed": True,
            "accepted_area_ha": "1.2",
            "inspected_on": "2026-10-10",
        },
        headers=admin(restoration),
    )
    assert response.status_code == 201, response.text
    [event] = await published(restoration, "restoration.acceptance.passed")
    assert event["closure"] is False and event["application_id"] is None
    failed_without_reasons = await restoration.client.post(
        "/acceptances",
        json={
            "right_id": fund["right_id"],
            "passed": False,
            "accepted_area_ha": "0",
            "inspected_on": "2026-10-10",
        },
        headers=admin(restoration),
    )
    assert failed_without_reasons.status_code == 422
    enterprise = await restoration.client.post(
        "/acceptances",
        json={"right_id": fund["right_id"], "passed": True, "accepted_area_ha": "1",
              "inspected_on": "2026-10-10"},
        headers=enterprise_of(restoration, fund["holder_id"]),
    )  # fmt: skip
    assert enterprise.status_code == 403


def enterprise_of(restoration, holder_id):
    return restoration.auth(Role.enterprise, holder_id=str(holder_id))
