"""The bureau's workflows end to end: the four services as separate uvicorn processes, each
with its own database, over the real Kafka broker, seeded by ``mineadmin seed`` and driven only
over HTTP with each actor's token. One system serves the module: the flows touch different
mines (a new one, 乌希根楚二号, the oilfield), and the refusal, which counts the plan's caps,
runs before the life of a mine frees a place under them."""

from datetime import date, timedelta

import pytest
from devkit.testing import eventually
from servicekit.auth import Role

from tests.e2e.audit import nothing_lost_nothing_doubled
from tests.e2e.journeys import (
    GRANITE_NO2,
    KAFKA,
    OILFIELD,
    apply_green,
    at,
    check,
    deadline,
    deadline_of_kind,
    deadlines,
    evaluate,
    file_application,
    fund,
    life_of_a_mine,
    listing,
    listing_in,
    ok,
    publicise_and_list,
    register_evaluator,
    register_holder,
    seeded_mine,
    today,
    transfer,
    transfer_right,
)
from tests.e2e.system import System
from tests.rights_api.support import URBAN, mining_request

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.timeout(300),
    pytest.mark.asyncio(loop_scope="module"),
]


async def test_a_refused_application_reports_every_violation_with_its_clause(
    shared_system: System,
):
    system = shared_system
    holder_id = await register_holder(system, 9101, "二连浩特市城北石料有限公司")
    # in the town, below the minimum scale, most documents missing, the caps already full
    body = mining_request(
        holder_id,
        at=URBAN,
        mine_name="二连浩特市城北建筑用花岗岩矿",
        scale={"value": "3", "unit": "10k_m3_per_year"},
        documents=["development_plan"],
    )
    refused = await file_application(system, holder_id, body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "urn:mineadmin:problem:admission-refused"
    assert problem["edition"] == "2021-2025"
    clauses = {v["code"]: v["clause"] for v in problem["violations"]}
    assert clauses == {
        "min_scale": "第四章第二节, 专栏五",
        "city_mine_cap": "第二章第三节, 专栏二",
        "mine_count_cap": "第四章第二节, 专栏四",
        "outside_zone": "第三章第四节, 专栏三; 第五章第一节",
        "prohibited_area": "第三章第一节",
        "missing_documents": "第五章第三节",
    }
    for violation in problem["violations"]:
        assert violation["message_zh"] and violation["message_en"], violation

    # nothing was filed, so nothing travelled: no application, no review deadline
    filed = ok(
        await system.call(
            "rights",
            "GET",
            "/applications",
            params={"holder_id": holder_id},
            headers=system.auth(Role.enterprise, holder_id=holder_id),
        )
    )
    assert filed["items"] == []
    dry_run = await check(system, holder_id, body)
    assert dry_run["passed"] is False
    assert {v["code"] for v in dry_run["violations"]} == set(clauses)


async def test_the_life_of_a_mine(shared_system: System):
    """Holder registered → new granite mine refused while the caps are full → 北山's closure
    completes → application filed and approved → right granted → fund opened → accrual,
    deposit, expenditure → green-mine application, evaluation, publicity, listing → review
    reminder in the holder's inbox → closure → delisted with an exit notice, fund closed,
    deadlines cancelled. Each step checks every service it reaches (journeys.py)."""
    mine = await life_of_a_mine(shared_system)
    assert (await fund(shared_system, mine.right_id))["status"] == "closed"


async def test_a_transfer_moves_the_right_ends_the_green_title_and_the_fund_follows(
    shared_system: System,
):
    system = shared_system
    seller = await seeded_mine(system, GRANITE_NO2)
    before = await fund(system, seller.right_id)
    assert before["holder_id"] == seller.holder_id and before["status"] == "open"
    await transfer(system, before["id"], "deposit", "12000.00")

    await register_evaluator(system)
    application = await apply_green(system, seller)
    await evaluate(system, application)
    listed = await publicise_and_list(system, seller, application)

    review = await deadline_of_kind(system, seller.right_id, "green_mine_review")
    assert review["state"] == "open"

    buyer_id = await register_holder(system, 9102, "内蒙古乌希根楚建材集团有限公司")
    bought = await transfer_right(system, seller, buyer_id)

    # greenmine-api: the title is not transferable (第六章第一节): it ends with an exit notice
    gone = await listing_in(system, seller.right_id, "delisted")
    assert gone["id"] == listed["id"]
    assert gone["exit_notice"]["reason"] == "transferred"
    assert gone["exit_notice"]["number"].startswith("二自然资绿退〔")

    # restoration-api: the same fund, its money intact, now the buyer's
    async def followed():
        current = await fund(system, seller.right_id)
        return current if current["holder_id"] == buyer_id else None

    after = await eventually(followed, timeout=KAFKA, what="the fund following the right")
    assert after["id"] == before["id"] and after["status"] == "open"
    assert after["balances"]["deposited"] == "12000.00"
    assert after["balances"]["available"] == "12000.00"
    as_buyer = await system.call(
        "restoration",
        "GET",
        f"/funds/{after['id']}",
        headers=system.auth(Role.enterprise, holder_id=buyer_id),
    )
    assert as_buyer.status_code == 200
    as_seller = await system.call(
        "restoration",
        "GET",
        f"/funds/{after['id']}",
        headers=system.auth(Role.enterprise, holder_id=seller.holder_id),
    )
    assert as_seller.status_code == 404

    # the notifier: the green-mine review is no longer owed; what the right still owes (its
    # filings, its licence) is now the buyer's to be reminded of
    await deadline(system, review["id"], "cancelled")

    async def readdressed():
        # the bureau's own deadlines about the mine (its reserve verification) name a role and
        # stay the bureau's; every one addressed to a holder is now the buyer's
        owed = [d for d in await deadlines(system, seller.right_id, "open") if d["role"] is None]
        return owed if owed and all(d["holder_id"] == buyer_id for d in owed) else None

    owed = await eventually(readdressed, timeout=KAFKA, what="the deadlines following the right")
    assert {"licence_expiry", "annual_mining_plan"} <= {d["kind"] for d in owed}, owed
    for holder, status in ((bought.holder_id, 200), (seller.holder_id, 404)):
        view = await system.call(
            "rights",
            "GET",
            f"/rights/{bought.right_id}",
            headers=system.auth(Role.enterprise, holder_id=holder),
        )
        assert view.status_code == status, view.text


async def test_an_overdue_restoration_rectification_suspends_the_green_mines_benefits(
    shared_system: System,
):
    system = shared_system
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
    green = await deadline_of_kind(system, oilfield.right_id, "green_mine_rectification")
    assert green["state"] == "open"
    assert green["due_at"] == case["due_on"]

    # once, however often the job runs again
    assert await system.run_job("restoration", "rectification_overdue", now=at(day_after, 12)) == 0
    still = await listing(system, oilfield.right_id)
    assert len(still["rectifications"]) == 1

    # rights-api's integrity record 诚信体系 remembers it, from restoration-api's event; the holder
    # reads its own record
    owner = system.auth(Role.enterprise, holder_id=oilfield.holder_id)

    async def recorded():
        response = await system.call(
            "rights", "GET", f"/holders/{oilfield.holder_id}/integrity", headers=owner
        )
        entries = ok(response)["entries"]
        return [e for e in entries if e["kind"] == "restoration_rectification_overdue"]

    [entry] = await eventually(recorded, timeout=KAFKA, what="the integrity record's entry")
    assert (entry["clause"], entry["severity"], entry["right_id"]) == (
        "第六章第二节二",
        "serious",
        oilfield.right_id,
    )
    assert entry["source_type"] == "restoration.rectification.overdue"


async def test_after_the_workflows_nothing_is_lost_doubled_or_dead_lettered(
    shared_system: System,
):
    applied = await nothing_lost_nothing_doubled(shared_system)
    assert all(applied[s] > 0 for s in ("rights", "restoration", "greenmine", "notifier"))
