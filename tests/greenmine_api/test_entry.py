"""Entry: the holder applies, the bureau assigns a registered evaluator, only that
organisation submits, the standard computes the result, publicity runs for 5 working days of
the statutory calendar, objections are decided, then the mine is listed and announced."""

import json
from datetime import date, timedelta

from greenmine_api.calendar_months import add_months
from greenmine_api.publicity import service as publicity_service
from greenmine_api.publicity_outcomes import service as publicity_outcomes
from servicekit.auth import Role
from servicekit.clock import local_today

from tests.greenmine_api.support import (
    OTHER_ORG,
    TEAM,
    admin,
    apply,
    assign,
    close,
    deliver,
    enterprise,
    evaluator,
    events,
    granted,
    prerequisites,
    publicity,
    register_org,
    scores,
    submit,
)


async def test_the_full_path_from_application_to_listing(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    assert application["status"] == "filed"
    [filed] = await events(gm, "greenmine.application.filed")
    assert filed["right_id"] == str(mine.right_id) and filed["kind"] == "entry"

    await assign(gm, application)
    evaluated = await submit(gm, application)
    assert evaluated.status_code == 201, evaluated.text
    result = evaluated.json()["evaluation"]["result"]
    assert evaluated.json()["status"] == "passed"
    assert result["passed"] and float(result["total"]) == 800
    assert len(evaluated.json()["evaluation"]["team"]) == 5
    report = await gm.client.get(
        f"/applications/{application['id']}/evaluation/report",
        headers=enterprise(gm, mine.holder_id),
    )
    assert report.status_code == 200 and report.content == b"%PDF-1.7 evaluation report"
    assert report.headers["content-disposition"].startswith("attachment; filename=")
    assert report.headers["content-disposition"].endswith('.pdf"')
    assert report.headers["x-content-type-options"] == "nosniff"

    pub = await publicity(gm, application, "2025-09-30")
    assert pub["ends_on"] == "2025-10-13"
    open_now = (await gm.client.get("/publicities", params={"status": "open"})).json()["items"]
    assert open_now[0]["id"] == pub["id"]
    assert await events(gm, "greenmine.mine.listed") == []  # nothing before publicity ends

    closed = await close(gm, pub["id"])
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "passed"
    [listing] = (await gm.client.get("/listings", params={"status": "listed"})).json()["items"]
    today = local_today()
    assert listing["right_id"] == str(mine.right_id)
    assert listing["entry_date"] == today.isoformat()
    assert listing["next_review_due"] == add_months(today, 36).isoformat()
    assert listing["mine_name"] == mine.mine_name
    [listed] = await events(gm, "greenmine.mine.listed")
    assert listed["listing_id"] == listing["id"] and listed["relisted"] is False
    [due] = await events(gm, "greenmine.review.due")
    assert due["deadline"]["due_at"] == add_months(today, 30).isoformat()  # 6 months before
    assert due["deadline"]["audience"]["holder_id"] == str(mine.holder_id)
    application = (
        await gm.client.get(f"/applications/{application['id']}", headers=admin(gm))
    ).json()
    assert application["status"] == "approved"

    again = await gm.client.post(
        "/applications",
        json={"right_id": str(mine.right_id)},
        headers=enterprise(gm, mine.holder_id),
    )
    assert again.status_code == 409  # already listed: a review, not a second entry


async def test_publicity_runs_five_working_days_across_the_national_day_holiday(gm):
    async with gm.runtime.db.transaction() as session:
        # Tue 30 Sep 2025, then 1-8 Oct off, Sat 11 Oct worked (调休): 30/9, 9, 10, 11, 13 Oct
        assert await publicity_service.period_end(session, date(2025, 9, 30), 5) == date(
            2025, 10, 13
        )
        # published during the holiday, the period starts on the first working day after it
        assert await publicity_service.period_end(session, date(2025, 10, 3), 5) == date(
            2025, 10, 14
        )
        # an ordinary week for comparison: Mon to Fri
        assert await publicity_service.period_end(session, date(2025, 11, 3), 5) == date(
            2025, 11, 7
        )


async def test_publicity_cannot_close_early_nor_with_an_undecided_objection(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    await assign(gm, application)
    await submit(gm, application)
    today = local_today()
    pub = await publicity(gm, application, today.isoformat())
    early = await close(gm, pub["id"])
    assert early.status_code == 409 and "runs until" in early.json()["detail"]

    objection = await gm.client.post(
        f"/publicities/{pub['id']}/objections", json={"content": "该矿排土场未按方案复绿"}
    )
    assert objection.status_code == 201, objection.text
    ends_on = date.fromisoformat(pub["ends_on"])
    async with gm.runtime.db.transaction() as session:
        try:
            await publicity_outcomes.close_publicity(
                session=session, publicity_id=pub["id"], today=ends_on + timedelta(days=1)
            )
            raise AssertionError("closed with an undecided objection")
        except Exception as exc:  # the Conflict rolls the transaction back
            assert "objection" in str(exc)

    listed = await gm.client.get(f"/publicities/{pub['id']}/objections", headers=admin(gm))
    assert [o["content"] for o in listed.json()["items"]] == ["该矿排土场未按方案复绿"]
    decided = await gm.client.post(
        f"/objections/{objection.json()['id']}/decision",
        json={"upheld": True, "note": "经核实，复绿未完成"},
        headers=admin(gm),
    )
    assert decided.status_code == 200
    async with gm.runtime.db.transaction() as session:
        result = await publicity_outcomes.close_publicity(
            session=session, publicity_id=pub["id"], today=ends_on + timedelta(days=1)
        )
        assert result.status == "failed"
    assert (await gm.client.get("/listings")).json()["items"] == []
    app = (await gm.client.get(f"/applications/{application['id']}", headers=admin(gm))).json()
    assert app["status"] == "rejected"


async def test_a_failing_evaluation_is_recorded_and_never_goes_to_publicity(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    await assign(gm, application)
    failed = await submit(gm, application, prereqs=prerequisites(outside_protected_areas=False))
    assert failed.status_code == 201
    assert failed.json()["status"] == "failed"
    assert failed.json()["evaluation"]["result"]["failed_prerequisites"] == [
        "outside_protected_areas"
    ]
    refused = await gm.client.post(
        f"/applications/{application['id']}/publicity", json={}, headers=admin(gm)
    )
    assert refused.status_code == 409


async def test_an_evaluation_needs_a_team_of_five_and_in_range_scores(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    await assign(gm, application)
    small = await submit(gm, application, team=[{"name": "一人", "title": "工程师"}] * 4)
    assert small.status_code == 422
    assert small.json()["errors"][0]["field"] == "body.evaluation.team"
    typed_in = await gm.client.post(
        f"/applications/{application['id']}/evaluation",
        data={
            "evaluation": json.dumps(
                {"scores": scores(), "prerequisites": prerequisites(), "team": TEAM, "total": 1000}
            )
        },
        files={"report": ("r.pdf", b"%PDF", "application/pdf")},
        headers=evaluator(gm),
    )
    assert typed_in.status_code == 422
    assert typed_in.json()["errors"][0]["field"] == "body.evaluation.total"
    over = await submit(gm, application, item_scores=scores(energy__saving=81))
    assert over.status_code == 422
    assert over.json()["errors"][0]["field"] == "scores.energy.saving"
    assert (await gm.client.get(f"/applications/{application['id']}", headers=admin(gm))).json()[
        "status"
    ] == "assigned"  # nothing half-written


async def test_bola_an_evaluator_submits_only_for_applications_assigned_to_its_org(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    await register_org(gm, OTHER_ORG)
    application = await apply(gm, mine)
    # not yet assigned: no evaluator sees it
    unassigned = await submit(gm, application)
    assert unassigned.status_code == 404
    await assign(gm, application)
    other = await submit(gm, application, org=OTHER_ORG)
    assert other.status_code == 404
    seen = await gm.client.get(
        f"/applications/{application['id']}", headers=evaluator(gm, OTHER_ORG)
    )
    assert seen.status_code == 404
    listed = await gm.client.get("/applications", headers=evaluator(gm, OTHER_ORG))
    assert listed.json()["items"] == []
    as_holder = await gm.client.post(
        f"/applications/{application['id']}/evaluation",
        data={"evaluation": "{}"},
        files={"report": ("r.pdf", b"x", "application/pdf")},
        headers=enterprise(gm, mine.holder_id),
    )
    assert as_holder.status_code == 403
    mine_org = await gm.client.get("/applications", headers=evaluator(gm))
    assert [a["id"] for a in mine_org.json()["items"]] == [application["id"]]
    assert (await submit(gm, application)).status_code == 201
    assert (await submit(gm, application)).status_code == 409  # submitted once


async def test_bola_an_enterprise_sees_and_files_only_its_own(gm):
    ours, theirs = granted(), granted(mine_name="二连浩特市乌希根楚三号建筑用花岗岩矿")
    await deliver(gm, ours)
    await deliver(gm, theirs)
    application = await apply(gm, theirs)
    mine_only = await gm.client.get("/applications", headers=enterprise(gm, ours.holder_id))
    assert mine_only.status_code == 200 and mine_only.json()["items"] == []
    peek = await gm.client.get(
        f"/applications/{application['id']}", headers=enterprise(gm, ours.holder_id)
    )
    assert peek.status_code == 404
    for_them = await gm.client.post(
        "/applications",
        json={"right_id": str(theirs.right_id)},
        headers=enterprise(gm, ours.holder_id),
    )
    assert for_them.status_code == 403
    assert (await gm.client.get("/applications")).status_code == 401
    inspector = await gm.client.get("/applications", headers=gm.auth(Role.inspector))
    assert inspector.status_code == 403
    own = await gm.client.get("/applications", headers=enterprise(gm, theirs.holder_id))
    assert [a["id"] for a in own.json()["items"]] == [application["id"]]


async def test_only_registered_organisations_are_assigned(gm):
    mine = granted()
    await deliver(gm, mine)
    application = await apply(gm, mine)
    response = await gm.client.post(
        f"/applications/{application['id']}/assignment",
        json={"org_id": "unregistered-org"},
        headers=admin(gm),
    )
    assert response.status_code == 409
    by_holder = await gm.client.post(
        f"/applications/{application['id']}/assignment",
        json={"org_id": "unregistered-org"},
        headers=enterprise(gm, mine.holder_id),
    )
    assert by_holder.status_code == 403


async def test_a_year_the_package_does_not_cover_uses_the_loaded_schedule(gm):
    async with gm.runtime.db.transaction() as session:
        # nothing loaded for 2027: weekends only, 30 Sep + 1, 4, 5, 6 Oct
        assert await publicity_service.period_end(session, date(2027, 9, 30), 5) == date(
            2027, 10, 6
        )
    schedule = {
        "holidays": [{"day": f"2027-10-0{d}", "name": "国庆节"} for d in range(1, 8)],
        "workdays": [
            {"day": "2027-09-26", "name": "国庆节调休上班"},
            {"day": "2027-10-09", "name": "国庆节调休上班"},
        ],
    }
    loaded = await gm.client.put("/admin/calendar/2027", json=schedule, headers=admin(gm))
    assert loaded.status_code == 204, loaded.text
    async with gm.runtime.db.transaction() as session:
        # 30 Sep, then 8, 9 (a Saturday worked), 11, 12 Oct
        assert await publicity_service.period_end(session, date(2027, 9, 30), 5) == date(
            2027, 10, 12
        )


async def test_objections_are_taken_only_during_the_period(gm):
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    await assign(gm, application)
    await submit(gm, application)
    pub = await publicity(gm, application, "2025-09-30")  # long over
    late = await gm.client.post(
        f"/publicities/{pub['id']}/objections", json={"content": "公示期后提出的异议"}
    )
    assert late.status_code == 409
    short = await gm.client.post(f"/publicities/{pub['id']}/objections", json={"content": "短"})
    assert short.status_code == 422
