"""Accrual follows the rule set loaded for the period, never falls below the restoration plan's
need, and a requirement the deposits do not cover publishes a shortfall with a deadline."""

import uuid
from datetime import UTC, datetime

from servicekit.auth import Role

from tests.restoration_api.support import RULES_2026, admin, grant, published, transfer


async def load(restoration, rules=RULES_2026):
    response = await restoration.client.post(
        "/accrual-rule-sets", json=rules, headers=admin(restoration)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def accrue(restoration, fund_id, **body):
    return await restoration.client.post(
        f"/funds/{fund_id}/accruals",
        json={"year": 2026, "output": "6", "land_type": "grassland", "region": "erenhot", **body},
        headers=admin(restoration),
    )


async def test_accrual_applies_the_loaded_rule_set_to_last_years_output(restoration):
    rules = await load(restoration)
    fund = await grant(restoration)
    response = await accrue(restoration, fund["id"])
    assert response.status_code == 201, response.text
    accrual = response.json()
    # 6 (万m³) × 5000 × 1.2 (open pit) × 1.5 (grassland) × 1.1 (Erenhot) = 59400
    assert accrual["rule_amount"] == accrual["posted"] == "59400.00"
    assert accrual["rule_set_id"] == rules["id"]
    assert accrual["factors"] == {
        "base_rate": "5000.00",
        "method": "1.2",
        "land_type": "1.5",
        "region": "1.1",
    }
    balances = (
        await restoration.client.get(f"/funds/{fund['id']}", headers=admin(restoration))
    ).json()["balances"]
    assert balances["required"] == balances["shortfall"] == "59400.00"
    [transfer_row] = (
        await restoration.client.get(f"/funds/{fund['id']}/transfers", headers=admin(restoration))
    ).json()["items"]
    assert transfer_row["kind"] == "accrual"
    again = await accrue(restoration, fund["id"])
    assert again.status_code == 409


async def test_the_requirement_never_falls_below_the_restoration_plans_need(restoration):
    await load(restoration)
    fund = await grant(restoration)
    plan = await restoration.client.post(
        "/plans",
        json={
            "right_id": fund["right_id"],
            "kind": "protection_reclamation",
            "title": "乌希根楚二号 保护与土地复垦方案",
            "estimated_cost": "300000.00",
            "area_ha": "3.86",
            "schedule": [
                {"year": 2025, "cost": "50000.00", "area_ha": "1"},
                {"year": 2026, "cost": "70000.00", "area_ha": "1.2"},
                {"year": 2027, "cost": "180000.00", "area_ha": "1.66"},
            ],
        },
        headers=admin(restoration),
    )
    assert plan.status_code == 201, plan.text
    accrual = (await accrue(restoration, fund["id"])).json()
    assert accrual["rule_amount"] == "59400.00"
    assert accrual["plan_need"] == "120000.00"  # 2025 + 2026 of the schedule
    assert accrual["posted"] == "120000.00"


async def test_a_shortfall_is_published_with_a_deadline_once_per_level(restoration):
    await load(restoration)
    fund = await grant(restoration)
    await transfer(restoration, fund["id"], "deposit", "20000.00")
    await accrue(restoration, fund["id"])
    [event] = await published(restoration, "restoration.fund.shortfall")
    assert event["fund_id"] == fund["id"]
    assert event["shortfall"] == "39400.00"
    assert event["deadline"]["kind"] == "fund_shortfall"
    assert event["deadline"]["audience"]["holder_id"] == fund["holder_id"]
    # the sweep finds nothing new at the same level
    assert await restoration.runtime.run_job("fund_shortfall", now=datetime.now(UTC)) == 0
    assert len(await published(restoration, "restoration.fund.shortfall")) == 1


async def test_the_deposit_that_covers_a_shortfall_meets_its_deadline_once(restoration):
    await load(restoration)
    fund = await grant(restoration)
    await accrue(restoration, fund["id"])  # 59400 required, nothing deposited
    [noticed] = await published(restoration, "restoration.fund.shortfall")
    await transfer(restoration, fund["id"], "deposit", "40000.00")
    assert await published(restoration, "restoration.fund.shortfall_covered") == []  # not yet
    deposit = {"id": str(uuid.uuid4())}
    assert (
        await transfer(restoration, fund["id"], "deposit", "19400.00", **deposit)
    ).status_code == 201
    assert (
        await transfer(restoration, fund["id"], "deposit", "19400.00", **deposit)
    ).status_code == 201
    await transfer(restoration, fund["id"], "deposit", "1000.00")  # beyond the requirement
    [covered] = await published(restoration, "restoration.fund.shortfall_covered")
    assert covered["required"] == covered["deposited"] == "59400.00"
    assert covered["deadline"] == {**noticed["deadline"], "action": "met",
                                   "title_zh": covered["deadline"]["title_zh"]}  # fmt: skip


async def test_no_rule_set_for_the_year_or_no_factor_is_a_named_422(restoration):
    await load(restoration)
    fund = await grant(restoration)
    none = await accrue(restoration, fund["id"], year=2030)
    assert none.status_code == 422
    assert none.json()["errors"][0]["field"] == "body.year"
    land = await accrue(restoration, fund["id"], land_type="wetland")
    assert land.status_code == 422
    assert land.json()["errors"][0]["field"] == "body.land_type"
    floaty = await accrue(restoration, fund["id"], output=6.0)
    assert floaty.status_code == 422
    assert floaty.json()["errors"][0]["field"] == "body.output"


async def test_rule_sets_are_validated_and_do_not_overlap(restoration):
    await load(restoration)
    overlap = await restoration.client.post(
        "/accrual-rule-sets",
        json={**RULES_2026, "code": "other", "effective_from": "2026-06-01"},
        headers=admin(restoration),
    )
    assert overlap.status_code == 409
    bad = await restoration.client.post(
        "/accrual-rule-sets",
        json={**RULES_2026, "code": "x", "effective_from": "2027-01-01", "effective_to": None,
              "method_factors": {"open_pit": 1.2}},
        headers=admin(restoration),
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("body.method_factors")
    reviewer = await restoration.client.post(
        "/accrual-rule-sets",
        json={**RULES_2026, "code": "y", "effective_from": "2028-01-01"},
        headers=restoration.auth(Role.bureau_reviewer),
    )
    assert reviewer.status_code == 403


async def test_a_mineral_the_rule_set_does_not_rate_is_named(restoration):
    await load(restoration)
    fund = await grant(restoration, mineral="fluorite", method="underground")
    response = await accrue(restoration, fund["id"])
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "right.mineral"
    assert "fluorite" in error["message"]
