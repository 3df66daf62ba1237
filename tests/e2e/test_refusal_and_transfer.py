"""A refused application, and a transfer that every service follows: the four services as
processes over the real broker, started once for the module."""

import pytest
from rights_api.rights.geometry import square
from servicekit.auth import Role
from servicekit.testing import eventually

from tests.e2e.journeys import (
    GRANITE_NO2,
    KAFKA,
    apply_green,
    deadlines,
    evaluate,
    file_application,
    fund,
    listing_in,
    new_granite_mine,
    ok,
    publicise_and_list,
    register_evaluator,
    register_holder,
    seeded_mine,
    transfer,
    transfer_right,
)
from tests.e2e.system import System

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.timeout(300),
    pytest.mark.asyncio(loop_scope="module"),
]

URBAN = (111.98, 43.65)  # inside the demo urban boundary, in no mining zone


async def test_a_refused_application_reports_every_violation_with_its_clause(
    started_system: System,
):
    system = started_system
    holder_id = await register_holder(system, 9101, "二连浩特市城北石料有限公司")
    body = new_granite_mine(holder_id, "二连浩特市城北建筑用花岗岩矿") | {
        "scale": {"value": "3", "unit": "10k_m3_per_year"},
        "documents": ["development_plan"],
    }
    body["boundary"] = square(*URBAN, 0.15)
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
    dry_run = ok(
        await system.call(
            "rights",
            "POST",
            "/applications/check",
            json=body,
            headers=system.auth(Role.enterprise, holder_id=holder_id),
        )
    )
    assert dry_run["passed"] is False
    assert {v["code"] for v in dry_run["violations"]} == set(clauses)


async def test_a_transfer_moves_the_right_ends_the_green_title_and_the_fund_follows(
    started_system: System,
):
    system = started_system
    seller = await seeded_mine(system, GRANITE_NO2)
    before = await fund(system, seller.right_id)
    assert before["holder_id"] == seller.holder_id and before["status"] == "open"
    await transfer(system, before["id"], "deposit", "12000.00")

    await register_evaluator(system)
    application = await apply_green(system, seller)
    await evaluate(system, application)
    listed = await publicise_and_list(system, seller, application)

    async def review_deadline():
        found = [
            d for d in await deadlines(system, seller.right_id) if d["kind"] == "green_mine_review"
        ]
        return found[0] if found else None

    review = await eventually(review_deadline, timeout=KAFKA, what="the review deadline")
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

    # the notifier: the green-mine review is no longer owed
    async def review_cancelled():
        [current] = [d for d in await deadlines(system, seller.right_id) if d["id"] == review["id"]]
        return current["state"] == "cancelled"

    await eventually(review_cancelled, timeout=KAFKA, what="the review deadline cancelled")
    for holder, status in ((bought.holder_id, 200), (seller.holder_id, 404)):
        view = await system.call(
            "rights",
            "GET",
            f"/rights/{bought.right_id}",
            headers=system.auth(Role.enterprise, holder_id=holder),
        )
        assert view.status_code == status, view.text
