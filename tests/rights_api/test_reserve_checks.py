"""The bureau's annual reserve verification 年度资源储量动态核查 (第五章第二节): owed every year for
each working mine, overdue by the job with a pinned clock, recorded with the December mining
plan and the three-rates report linked."""

from datetime import UTC, datetime

import pytest
from contracts.mining import RightKind, RightStatus
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.operations_support import events, make_right, rights_service
from tests.rights_api.support import load_edition

JANUARY = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
LAST_MINUTE = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 on 31 March, Beijing
APRIL = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 00:00 on 1 April 2026, Beijing
PLAN_FILED = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)  # 2024's filings: the mining plan for 2025


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        await load_edition(service)
        yield service


def verification(right, **changes) -> dict:
    body = {
        "right_id": str(right.id),
        "year": 2025,
        "unit": "m3",
        "planned_volume": "60000",
        "mined_volume": "58200",
        "within_planned_faces": True,
        "reserves_consumed": "61300",
        "reserves_remaining": "412000",
        "checked_by": ["巴特尔（地质工程师）", "王海军（测量工程师）"],
        "checked_on": "2025-12-20",
        "result": "pass",
        "remarks": "采掘计划执行率97%，作业面均在年度采掘计划工程分布图范围内。",
    }
    return body | changes


async def checks(rights, caller=None, **params) -> list[dict]:
    response = await rights.client.get(
        "/reserve-checks", params=params, headers=caller or rights.auth(Role.bureau_reviewer)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_the_verification_is_owed_yearly_and_goes_overdue(rights):
    producing = await make_right(rights, 1)
    building = await make_right(rights, 2, status=RightStatus.under_construction)
    await make_right(rights, 3, status=RightStatus.suspended)
    await make_right(rights, 4, kind=RightKind.exploration)

    assert await rights.runtime.run_job("reserve_check_obligations", now=JANUARY) == 2
    owed = {(c["right_id"], c["year"], c["due_on"], c["status"]) for c in await checks(rights)}
    assert owed == {(str(r.id), 2025, "2026-03-31", "owed") for r in (producing, building)}
    required = await events(rights, "rights.reserve_check.required")
    assert len(required) == 2
    _, key, data = next(e for e in required if e[2]["right_id"] == str(producing.id))
    assert key == str(producing.id)
    assert data["holder_id"] == str(producing.holder_id)
    assert data["deadline"] == {
        "id": f"rights.reserve_check.{data['check_id']}",
        "kind": "reserve_check",
        "action": "set",
        "due_at": "2026-03-31",
        "subject": str(producing.id),
        "audience": {"holder_id": None, "role": "bureau_reviewer", "org_id": None},
        "title_zh": f"2025年度资源储量动态核查（{producing.mine_name}）",
    }
    # the job runs every few hours: nothing twice
    assert await rights.runtime.run_job("reserve_check_obligations", now=JANUARY) == 0

    # the bureau records one in time; the other passes its date
    with clock.pinned(datetime(2026, 3, 20, 2, 0, tzinfo=UTC)):
        recorded = await rights.client.post(
            "/reserve-checks",
            json=verification(building, checked_on="2026-03-20"),
            headers=rights.auth(Role.bureau_reviewer),
        )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["late"] is False
    assert await rights.runtime.run_job("reserve_checks_overdue", now=LAST_MINUTE) == 0
    assert await rights.runtime.run_job("reserve_checks_overdue", now=APRIL) == 1
    statuses = {c["right_id"]: c["status"] for c in await checks(rights)}
    assert statuses == {str(producing.id): "overdue", str(building.id): "recorded"}
    [(_, key, overdue)] = await events(rights, "rights.reserve_check.overdue")
    assert key == str(producing.id)
    assert overdue["deadline"]["action"] == "overdue"
    assert overdue["deadline"]["id"] == data["deadline"]["id"]
    assert await rights.runtime.run_job("reserve_checks_overdue", now=APRIL) == 0
    assert len(await events(rights, "rights.reserve_check.overdue")) == 1

    # an overdue verification may still be recorded: late, the deadline met
    late = await rights.client.post(
        "/reserve-checks", json=verification(producing), headers=rights.auth(Role.bureau_admin)
    )
    assert late.status_code == 201, late.text
    assert late.json()["id"] == data["check_id"]
    assert (late.json()["status"], late.json()["late"]) == ("recorded", True)
    met = [e for e in await events(rights, "rights.reserve_check.recorded")]
    assert len(met) == 2
    assert met[-1][2]["deadline"]["action"] == "met"
    assert met[-1][2]["late"] is True
    assert met[-1][2]["result"] == "pass"


async def test_recording_links_the_mining_plan_and_the_three_rates_report(rights):
    right = await make_right(rights, 1)
    other = await make_right(rights, 2)
    # the mining plan for 2025 was owed in 2024 (filed in December)
    assert await rights.runtime.run_job("filing_obligations", now=PLAN_FILED)
    plans = await rights.client.get(
        "/filings",
        params={"right_id": str(right.id), "kind": "annual_mining_plan", "year": 2025},
        headers=rights.auth(Role.bureau_admin),
    )
    [plan] = plans.json()["items"]
    others = await rights.client.get(
        "/filings",
        params={"right_id": str(other.id), "kind": "annual_mining_plan"},
        headers=rights.auth(Role.bureau_admin),
    )
    [others_plan] = others.json()["items"]
    report = await rights.client.post(
        "/utilisation-reports",
        json={
            "right_id": str(right.id),
            "year": 2025,
            "ore_mined_t": "154000",
            "mining_recovery_pct": "93",
            "waste_rock_t": "0",
            "waste_rock_reused_t": "0",
        },
        headers=rights.auth(Role.enterprise, holder_id=str(right.holder_id)),
    )
    assert report.status_code == 201, report.text
    admin = rights.auth(Role.bureau_admin)

    async def refused(body, field, status=422):
        response = await rights.client.post("/reserve-checks", json=body, headers=admin)
        assert response.status_code == status, response.text
        if field:
            assert field in {e["field"] for e in response.json()["errors"]}

    await refused(verification(right, result="fail", remarks=None), "body.remarks")
    await refused(verification(right, checked_on="2099-01-01"), "body.checked_on")
    await refused(
        verification(right, mining_plan_filing_id=others_plan["id"]), "body.mining_plan_filing_id"
    )
    await refused(
        verification(other, utilisation_report_id=report.json()["id"]), "body.utilisation_report_id"
    )
    await refused(verification(right, checked_by=[]), "body.checked_by")
    await refused(verification(right, result="maybe"), "body.result")
    await refused(verification(right, right_id="0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61"), None, 404)
    owner = rights.auth(Role.enterprise, holder_id=str(right.holder_id))
    for caller in (owner, rights.auth(Role.inspector), rights.auth(Role.gov_system)):
        answer = await rights.client.post(
            "/reserve-checks", json=verification(right), headers=caller
        )
        assert answer.status_code == 403
    assert await events(rights, "rights.reserve_check") == []

    # no obligation yet (the job has not run): recording creates the record, met
    failed = verification(
        right,
        result="fail",
        within_planned_faces=False,
        remarks="东帮1180米台阶超出年度采掘计划工程分布图范围。",
    )
    response = await rights.client.post("/reserve-checks", json=failed, headers=admin)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/reserve-checks/{body['id']}"
    assert body["mining_plan_filing_id"] == plan["id"]
    assert body["mining_plan_status"] == "owed"
    assert body["utilisation_report"]["id"] == report.json()["id"]
    assert body["utilisation_report"]["mining_recovery_pct"] == "93.00"
    assert (body["result"], body["within_planned_faces"], body["status"]) == (
        "fail",
        False,
        "recorded",
    )
    assert body["plan_execution_pct"] == "97.00"
    assert body["checked_by"] == ["巴特尔（地质工程师）", "王海军（测量工程师）"]
    assert body["due_on"] == "2026-03-31"
    [(_, _, data)] = await events(rights, "rights.reserve_check.recorded")
    assert (data["result"], data["deadline"]["action"]) == ("fail", "met")

    again = await rights.client.post("/reserve-checks", json=verification(right), headers=admin)
    assert again.status_code == 409
    # the job finds it done
    assert await rights.runtime.run_job("reserve_check_obligations", now=JANUARY) == 1  # `other`

    # the holder reads its own; another holder gets 404
    url = f"/reserve-checks/{body['id']}"
    assert (await rights.client.get(url, headers=owner)).status_code == 200
    stranger = rights.auth(Role.enterprise, holder_id=str(other.holder_id))
    assert (await rights.client.get(url, headers=stranger)).status_code == 404
    assert [c["right_id"] for c in await checks(rights, stranger)] == [str(other.id)]
    assert [c["id"] for c in await checks(rights, owner)] == [body["id"]]
    assert [c["id"] for c in await checks(rights, status="recorded")] == [body["id"]]
