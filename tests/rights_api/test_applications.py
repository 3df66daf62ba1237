"""Filing, review and what approval does: grant, renewal, transfer, mortgage, change, closure."""

import re
from datetime import date, timedelta

import pytest
from servicekit.auth import Role
from servicekit.workdays import add_workdays

from tests.rights_api.support import (
    BLANK,
    URBAN,
    acceptance_passed,
    add_right,
    count,
    events,
    holder,
    load_edition,
    mining_request,
)


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


async def post(service, path: str, body: dict, role=Role.bureau_reviewer, **claims):
    return await service.client.post(path, json=body, headers=service.auth(role, **claims))


async def file(service, body: dict, role=Role.bureau_admin, **claims) -> dict:
    response = await post(service, "/applications", body, role, **claims)
    assert response.status_code == 201, response.text
    return response.json()


async def approve(service, application: dict, reason: str = "符合规划准入条件") -> dict:
    response = await post(service, f"/applications/{application['id']}/approve", {"reason": reason})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_refused_filing_is_a_422_with_every_violation_and_writes_nothing(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner, at=URBAN, scale={"value": "3", "unit": "10k_m3_per_year"})
    response = await post(plan, "/applications", body, Role.enterprise, holder_id=owner)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:mineadmin:problem:admission-refused"
    assert problem["edition"] == "2021-2025"
    by_code = {v["code"]: v for v in problem["violations"]}
    assert set(by_code) == {"min_scale", "outside_zone", "prohibited_area"}
    assert by_code["min_scale"]["clause"] == "第四章第二节, 专栏五"
    assert set(by_code["min_scale"]) == {"code", "clause", "message_zh", "message_en", "numbers"}
    assert await count(plan, "SELECT count(*) FROM applications") == 0
    assert await events(plan, "rights.application.filed") == []


async def test_a_filed_application_carries_its_review_deadline(plan):
    owner = await holder(plan, 1)
    application = await file(plan, mining_request(owner), Role.enterprise, holder_id=owner)
    assert application["status"] == "filed"
    assert application["edition"] == "2021-2025"
    async with plan.runtime.db.transaction() as session:
        due = await add_workdays(session, date.fromisoformat(application["filed_at"][:10]), 20)
    deadline = application["review_deadline"]
    assert deadline["due_at"] == due.isoformat()
    assert deadline["id"] == f"rights:application:{application['id']}:review"
    assert deadline["audience"] == {"role": "bureau_reviewer", "holder_id": None, "org_id": None}
    [(_, key, data)] = await events(plan, "rights.application.filed")
    assert key == application["id"]
    assert data["kind"] == "new_mining_right"
    assert data["holder_id"] == owner
    assert data["mineral"] == "construction_granite"
    assert data["deadline"]["due_at"] == due.isoformat()
    assert data["deadline"]["action"] == "set"


async def test_approval_grants_the_right_with_licence_number_and_validity(plan):
    owner = await holder(plan, 1, "二连浩特市测试花岗岩有限公司")
    application = await file(plan, mining_request(owner, term_years=10))
    decided = await approve(plan, application)
    assert decided["status"] == "approved"
    assert decided["decision_reason"] == "符合规划准入条件"
    assert decided["review_deadline"] is None

    right = (
        await plan.client.get(f"/rights/{decided['right_id']}", headers=plan.auth(Role.inspector))
    ).json()
    assert re.fullmatch(r"C152501\d{6}\d{10}", right["licence_no"])
    assert right["status"] == "under_construction"
    assert right["zone"] == "SCJ001"
    assert right["holder_id"] == owner
    valid_from = date.fromisoformat(right["valid_from"])
    assert (
        right["valid_to"]
        == (valid_from.replace(year=valid_from.year + 10) - timedelta(days=1)).isoformat()
    )
    assert right["scale"] == {"value": "10.0000", "unit": "10k_m3_per_year"}
    assert abs(float(right["computed_area_km2"]) - 0.15) < 1e-4

    [(_, key, granted)] = await events(plan, "rights.right.granted")
    assert key == right["id"]
    assert granted["licence_no"] == right["licence_no"]
    assert granted["holder_name"] == "二连浩特市测试花岗岩有限公司"
    assert granted["zone"] == "SCJ001"
    assert granted["method"] == "open_pit"
    assert granted["scale"] == {"value": "10", "unit": "10k_m3_per_year"}
    assert granted["reference"] is False
    [(_, _, approved)] = await events(plan, "rights.application.approved")
    assert approved["right_id"] == right["id"]
    assert approved["deadline"]["action"] == "met"
    # the new mine owes this year's filings from the day of grant, not from the job's next round
    owed = await events(plan, "rights.filing.required")
    assert sorted(data["kind"] for _, _, data in owed) == [
        "annual_mining_plan",
        "reserve_verification",
    ]
    assert {key for _, key, _ in owed} == {right["id"]}

    again = await post(plan, f"/applications/{application['id']}/approve", {"reason": "x"})
    assert again.status_code == 409


async def test_approval_runs_the_rules_again(plan):
    owner = await holder(plan, 1)
    first = await file(plan, mining_request(owner))
    second = await file(plan, mining_request(owner))  # the same ground, filed before the grant
    await approve(plan, first)
    response = await post(plan, f"/applications/{second['id']}/approve", {"reason": "ok"})
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["overlap"]
    assert (
        await plan.client.get(
            f"/applications/{second['id']}", headers=plan.auth(Role.bureau_reviewer)
        )
    ).json()["status"] == "filed"


async def test_rejection_needs_a_reason_and_meets_the_deadline(plan):
    owner = await holder(plan, 1)
    application = await file(plan, mining_request(owner))
    missing = await post(plan, f"/applications/{application['id']}/reject", {"reason": ""})
    assert missing.status_code == 422
    response = await post(
        plan, f"/applications/{application['id']}/reject", {"reason": "储量核实报告未评审"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    [(_, _, data)] = await events(plan, "rights.application.rejected")
    assert data["reason"] == "储量核实报告未评审"
    assert data["deadline"]["action"] == "met"
    assert await count(plan, "SELECT count(*) FROM rights") == 0


async def test_only_bureau_staff_decide(plan):
    owner = await holder(plan, 1)
    application = await file(plan, mining_request(owner))
    for role, claims in ((Role.enterprise, {"holder_id": owner}), (Role.inspector, {})):
        response = await post(
            plan, f"/applications/{application['id']}/approve", {"reason": "x"}, role, **claims
        )
        assert response.status_code == 403
    assert await count(plan, "SELECT count(*) FROM rights") == 0


@pytest.mark.parametrize(("scale", "passes"), [("3", False), ("6", True)])
async def test_renewal_after_2023_is_refused_below_the_minimum_scale(plan, scale, passes):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK, scale=(scale, "10k_m3_per_year"))
    body = {"kind": "renewal", "right_id": right["id"], "term_years": 3}
    response = await post(plan, "/applications/check", body)
    result = response.json()
    assert result["passed"] is passes
    if not passes:
        [violation] = result["violations"]
        assert violation["code"] == "below_min_scale_no_renewal"
        assert violation["clause"] == "第四章第二节"
        assert violation["numbers"]["deadline"] == "2023-12-31"
        assert violation["numbers"]["scale"] == "3"
        assert "不再延续" in violation["message_zh"]
        return
    application = await file(plan, body)
    await approve(plan, application)
    renewed = (
        await plan.client.get(f"/rights/{right['id']}", headers=plan.auth(Role.bureau_admin))
    ).json()
    assert renewed["valid_to"] == "2032-12-31"  # 3 years after 2029-12-31
    [(_, _, data)] = await events(plan, "rights.right.renewed")
    assert data["valid_to"] == "2032-12-31"


async def test_transfer_changes_the_holder_and_is_published(plan):
    seller = await holder(plan, 1, "二连市北山石料厂")
    buyer = await holder(plan, 2, "内蒙古源庭矿业有限公司")
    right = await add_right(plan, seller, at=BLANK)
    body = {"kind": "transfer", "right_id": right["id"], "to_holder_id": buyer}
    application = await file(plan, body, Role.enterprise, holder_id=seller)
    assert application["holder_id"] == seller
    await approve(plan, application)

    moved = (
        await plan.client.get(f"/rights/{right['id']}", headers=plan.auth(Role.bureau_admin))
    ).json()
    assert moved["holder_id"] == buyer
    assert moved["version"] == 2
    [(_, key, data)] = await events(plan, "rights.right.transferred")
    assert key == right["id"]
    assert (data["from_holder_id"], data["to_holder_id"]) == (seller, buyer)
    assert data["to_holder_name"] == "内蒙古源庭矿业有限公司"
    history = (
        await plan.client.get(
            f"/rights/{right['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert [h["action"] for h in history] == ["granted", "transferred"]
    assert history[1]["changes"] == {"holder_id": [seller, buyer]}
    seller_view = await plan.client.get(
        f"/rights/{right['id']}", headers=plan.auth(Role.enterprise, holder_id=seller)
    )
    assert seller_view.status_code == 404  # no longer theirs


async def test_transfer_rules(plan):
    seller = await holder(plan, 1)
    right = await add_right(
        plan, seller, at=BLANK, level="region", mineral="fluorite", scale=("12", "10k_t_per_year")
    )
    same = {"kind": "transfer", "right_id": right["id"], "to_holder_id": seller}
    found = {
        v["code"]: v for v in (await post(plan, "/applications/check", same)).json()["violations"]
    }
    assert set(found) == {"same_holder", "not_city_licensed"}
    assert found["not_city_licensed"]["clause"] == "第五章第二节"
    unknown = {**same, "to_holder_id": "00000000-0000-0000-0000-000000000001"}
    response = await post(plan, "/applications/check", unknown)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.to_holder_id"


async def test_mortgage_filing_and_change_are_recorded(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    mortgage = await file(
        plan,
        {
            "kind": "mortgage_filing",
            "right_id": right["id"],
            "mortgagee": "中国农业银行二连浩特市支行",
            "amount_yuan": "1200000.00",
            "starts_on": "2026-12-01",
            "ends_on": "2029-11-30",
        },
    )
    await approve(plan, mortgage)
    low = {
        "kind": "change",
        "right_id": right["id"],
        "scale": {"value": "4", "unit": "10k_m3_per_year"},
    }
    assert [
        v["code"] for v in (await post(plan, "/applications/check", low)).json()["violations"]
    ] == ["min_scale"]
    change = await file(
        plan,
        {
            **low,
            "scale": {"value": "8", "unit": "10k_m3_per_year"},
            "mine_name": "二连浩特市测试花岗岩矿（扩能）",
        },
    )
    await approve(plan, change)
    history = (
        await plan.client.get(
            f"/rights/{right['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert [h["action"] for h in history] == ["granted", "mortgage_filed", "changed"]
    assert history[1]["changes"]["mortgagee"] == "中国农业银行二连浩特市支行"
    assert history[1]["changes"]["amount_yuan"] == "1200000.00"
    assert set(history[2]["changes"]) == {"scale", "mine_name"}
    [(_, _, changed)] = await events(plan, "rights.right.changed")
    assert changed["scale"] == {"value": "8", "unit": "10k_m3_per_year"}


async def test_closure_waits_for_the_restoration_acceptance_then_closes_the_mine(plan):
    owner = await holder(plan, 1, "内蒙古源庭矿业有限公司")
    right = await add_right(plan, owner, at=BLANK, status="suspended")
    body = {"kind": "closure", "right_id": right["id"], "reason": "停产，办理闭坑手续"}
    refused = await post(plan, "/applications/check", body)
    assert [v["code"] for v in refused.json()["violations"]] == ["missing_documents"]
    assert refused.json()["violations"][0]["clause"] == "第六章第二节"

    application = await file(
        plan, {**body, "documents": ["restoration_plan"]}, Role.enterprise, holder_id=owner
    )
    assert application["waiting_for"]["event"] == "restoration.acceptance.passed"
    assert "验收" in application["waiting_for"]["description_zh"]
    held = await post(plan, f"/applications/{application['id']}/approve", {"reason": "同意闭坑"})
    assert held.status_code == 409
    assert held.json()["waiting_for"]["event"] == "restoration.acceptance.passed"
    again = await post(plan, "/applications/check", {**body, "documents": ["restoration_plan"]})
    assert [v["code"] for v in again.json()["violations"]] == ["application_pending"]

    consumer = plan.runtime.consumers["rights"]
    _, _, other_mine = acceptance_passed("00000000-0000-0000-0000-000000000002")
    assert (await consumer.process(other_mine)).status == "applied"
    _, _, not_closure = acceptance_passed(right["id"], closure=False)
    assert (await consumer.process(not_closure)).status == "applied"
    still = (
        await plan.client.get(
            f"/applications/{application['id']}", headers=plan.auth(Role.bureau_reviewer)
        )
    ).json()
    assert still["waiting_for"] is not None

    payload, _, record = acceptance_passed(right["id"])
    assert (await consumer.process(record)).status == "applied"
    assert (await consumer.process(record)).status == "duplicate"
    released = (
        await plan.client.get(
            f"/applications/{application['id']}",
            headers=plan.auth(Role.enterprise, holder_id=owner),
        )
    ).json()
    assert released["waiting_for"] is None
    assert released["restoration_acceptance"]["acceptance_id"] == str(payload.acceptance_id)

    await approve(plan, released, "闭坑治理恢复已验收，准予闭坑")
    closed = (
        await plan.client.get(f"/rights/{right['id']}", headers=plan.auth(Role.bureau_admin))
    ).json()
    assert closed["status"] == "closed"
    [(_, key, data)] = await events(plan, "rights.mine.closed")
    assert key == right["id"]
    assert data["status"] == "closed"
    assert data["licence_no"] == right["licence_no"]
    history = (
        await plan.client.get(
            f"/rights/{right['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("granted", None, "suspended"),
        ("status_changed", "suspended", "closing"),  # 正在办理闭坑手续 from the filing
        ("closure_restoration_accepted", None, None),
        ("status_changed", "closing", "closed"),
    ]
    after = await post(
        plan, "/applications/check", {"kind": "renewal", "right_id": right["id"], "term_years": 3}
    )
    assert "right_closed" in [v["code"] for v in after.json()["violations"]]


async def test_an_undecided_application_is_reported_overdue_once(plan):
    from datetime import UTC, datetime

    owner = await holder(plan, 1)
    application = await file(plan, mining_request(owner))
    due = date.fromisoformat(application["review_deadline"]["due_at"])
    right = await add_right(plan, owner, at=BLANK, status="suspended")
    closure = await file(
        plan,
        {
            "kind": "closure",
            "right_id": right["id"],
            "reason": "闭坑",
            "documents": ["restoration_plan"],
        },
    )
    on_due_day = datetime.combine(due, datetime.min.time(), UTC)
    assert await plan.runtime.run_job("application_review_overdue", now=on_due_day) == 0
    after = on_due_day + timedelta(days=1, hours=12)
    assert await plan.runtime.run_job("application_review_overdue", now=after) == 1
    assert await plan.runtime.run_job("application_review_overdue", now=after) == 0
    [(_, key, data)] = await events(plan, "rights.application.review_overdue")
    assert key == application["id"]
    assert data["deadline"]["action"] == "overdue"
    assert data["deadline"]["id"] == application["review_deadline"]["id"]
    # the waiting closure is not on the bureau's clock; once released, its deadline moves
    _, _, record = acceptance_passed(right["id"])
    await plan.runtime.consumers["rights"].process(record)
    [(_, _, released)] = await events(plan, "rights.application.released")
    assert released["application_id"] == closure["id"]
    assert released["deadline"]["id"] == closure["review_deadline"]["id"]
    assert released["deadline"]["due_at"] >= closure["review_deadline"]["due_at"]


async def test_applications_page_through_in_filing_order(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    filed = []
    for index in range(5):
        body = {
            "kind": "mortgage_filing",
            "right_id": right["id"],
            "mortgagee": f"银行{index}",
            "amount_yuan": "1000.00",
            "starts_on": "2026-12-01",
            "ends_on": "2027-11-30",
        }
        application = await file(plan, body)
        filed.append(application["id"])
        await approve(plan, application)  # one mortgage filing pending at a time
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await plan.client.get(
                "/applications", params=params, headers=plan.auth(Role.bureau_reviewer)
            )
        ).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == filed


async def test_a_retried_filing_with_the_same_idempotency_key_files_once(plan):
    owner = await holder(plan, 1)
    headers = {**plan.auth(Role.enterprise, holder_id=owner), "Idempotency-Key": "f-1"}
    body = mining_request(owner)
    first = await plan.client.post("/applications", json=body, headers=headers)
    again = await plan.client.post("/applications", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await count(plan, "SELECT count(*) FROM applications") == 1
    assert len(await events(plan, "rights.application.filed")) == 1


async def test_concurrent_approvals_of_the_same_ground_grant_once(plan):
    import asyncio

    owner = await holder(plan, 1)
    filed = [await file(plan, mining_request(owner)) for _ in range(3)]
    responses = await asyncio.gather(
        *[post(plan, f"/applications/{a['id']}/approve", {"reason": "ok"}) for a in filed]
    )
    assert sorted(r.status_code for r in responses) == [200, 422, 422]
    assert await count(plan, "SELECT count(*) FROM rights") == 1
    assert len(await events(plan, "rights.right.granted")) == 1


async def test_a_rejected_closure_puts_the_mine_back_as_it_was(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK, status="suspended")
    application = await file(
        plan,
        {
            "kind": "closure",
            "right_id": right["id"],
            "reason": "闭坑",
            "documents": ["restoration_plan"],
        },
    )
    url = f"/rights/{right['id']}"
    admin = plan.auth(Role.bureau_admin)
    assert (await plan.client.get(url, headers=admin)).json()["status"] == "closing"
    [(_, _, changed)] = await events(plan, "rights.right.status_changed")
    assert (changed["from_status"], changed["to_status"]) == ("suspended", "closing")

    response = await post(
        plan, f"/applications/{application['id']}/reject", {"reason": "闭坑方案未通过评审"}
    )
    assert response.status_code == 200
    assert (await plan.client.get(url, headers=admin)).json()["status"] == "suspended"
    [(_, _, back)] = await events(plan, "rights.right.suspended")  # change_status's event
    assert "闭坑方案未通过评审" in back["reason"]
    history = (await plan.client.get(f"{url}/history", headers=admin)).json()["items"]
    assert [(h["from_status"], h["to_status"]) for h in history[1:]] == [
        ("suspended", "closing"),
        ("closing", "suspended"),
    ]
