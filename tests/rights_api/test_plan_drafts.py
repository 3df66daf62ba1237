"""The next edition: drafted from the one in force, edited, compared, its impact seen, then
published. The 2026-2030 numbers are not in the seed: every draft here is constructed test data
(a lower granite cap, a higher granite minimum scale), never the plan's."""

from datetime import date

import pytest
from rights_api.applications.schemas import ApplicationStatus
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.offerings_support import offered, on
from tests.rights_api.support import add_right, events, holder, load_edition, mining_request

TODAY = date(2026, 12, 6)  # the 2021-2025 plan is past its period, still in force
NEXT = date(2027, 1, 1)  # the constructed draft takes effect
AFTER = date(2027, 1, 6)
GRANITE_CAP = "建筑用花岗岩"
DEADLINE_CHANGED = "rights.named_deadline.changed"


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


def admin(service) -> dict:
    return service.auth(Role.bureau_admin)


async def current(service) -> dict:
    response = await service.client.get("/plan-editions/current")
    assert response.status_code == 200, response.text
    return response.json()


async def draft(service, code: str = "2026-2030", **header) -> dict:
    """A draft copied from the edition in force."""
    source = await current(service)
    body = {"code": code, "period_start": "2026-01-01", "period_end": "2030-12-31", **header}
    response = await service.client.post(
        f"/plan-editions/{source['id']}/drafts", json=body, headers=admin(service)
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/plan-editions/{response.json()['id']}"
    return response.json()


async def patch(service, edition: dict, **parts):
    return await service.client.patch(
        f"/plan-editions/{edition['id']}",
        json=parts,
        headers={**admin(service), "If-Match": f'"{edition["version"]}"'},
    )


async def edited(service, edition: dict, **parts) -> dict:
    response = await patch(service, edition, **parts)
    assert response.status_code == 200, response.text
    return response.json()


def lower_granite_cap(edition: dict, to: int) -> list[dict]:
    return [
        {**cap, "max_mines": to} if cap["name_zh"] == GRANITE_CAP else cap
        for cap in edition["mine_caps"]
    ]


def higher_granite_minimum(edition: dict, value: str) -> list[dict]:
    return [
        {**m, "min_scale": {"value": value, "unit": "10k_m3_per_year"}}
        if m["mineral"] == "construction_granite"
        else m
        for m in edition["minerals"]
    ]


async def publish(service, edition: dict, day: date):
    return await service.client.post(
        f"/plan-editions/{edition['id']}/publish",
        json={"effective_from": day.isoformat()},
        headers=admin(service),
    )


async def test_a_draft_copies_the_edition_in_force_and_judges_nothing(plan):
    with on(TODAY):
        source = await current(plan)
        new = await draft(plan, title="二连浩特市矿产资源总体规划（2026-2030年）（测试草案）")
        assert (new["status"], new["code"], new["effective_from"]) == ("draft", "2026-2030", None)
        assert new["title"].endswith("（测试草案）")
        for part in ("minerals", "mine_caps", "zones", "targets", "planned_blocks"):
            assert new[part] == source[part], part
        # still the 2021-2025 edition in force; the draft shows to bureau staff only
        assert (await current(plan))["code"] == "2021-2025"
        url = f"/plan-editions/{new['id']}"
        assert (await plan.client.get(url)).status_code == 404
        assert (await plan.client.get(url, headers=plan.auth(Role.inspector))).status_code == 404
        seen = await plan.client.get(url, headers=plan.auth(Role.bureau_reviewer))
        assert seen.status_code == 200 and seen.json()["status"] == "draft"
        listed = (await plan.client.get("/plan-editions")).json()["items"]
        assert [e["code"] for e in listed] == ["2021-2025"]


async def test_a_lower_cap_lists_the_mines_beyond_it_and_the_applications_it_refuses(plan):
    with on(TODAY):
        owner = await holder(plan, 1)
        block = await offered(plan, "KQ-01")  # a sand block
        # register order (under a cap the newest are beyond it): valid_from first
        first = await add_right(plan, owner, at=(111.69, 43.56), valid_from="2018-01-01")
        second = await add_right(plan, owner, at=(111.71, 43.56))
        other = await add_right(
            plan,
            owner,
            at=(111.45, 43.70),
            mineral="fluorite",
            level="region",
            scale=("10", "10k_t_per_year"),
        )
        filed = await plan.client.post(
            "/applications",
            json=mining_request(owner, scale={"value": "8", "unit": "10k_m3_per_year"}),
            headers=admin(plan),
        )
        assert filed.status_code == 201, filed.text
        new = await draft(plan)
        new = await edited(
            plan,
            new,
            mine_caps=lower_granite_cap(new, 1),
            planned_blocks=[b for b in new["planned_blocks"] if b["id"] != "KQ-01"],
        )
        conformance = await plan.client.get(
            f"/plan-editions/{new['id']}/impact", headers=admin(plan), params={"on": "2026-12-06"}
        )
        assert conformance.status_code == 200, conformance.text
        impact = conformance.json()
    assert (impact["as_of"], impact["compared_with"]) == ("2026-12-06", "2021-2025")
    assert impact["edition"]["code"] == "2026-2030"
    [beyond] = impact["non_conforming_rights"]
    assert beyond["right_id"] == second["id"]
    assert beyond["non_conforming_now"] is False
    [reason] = beyond["reasons"]
    assert reason["rule"] == "mine_count_cap"
    assert reason["numbers"]["caps"] == [{"cap": GRANITE_CAP, "existing": 2, "maximum": 1}]
    assert "专栏四" in reason["clause"]
    assert first["id"] not in str(impact) and other["id"] not in str(impact)
    [refused] = impact["refused_applications"]
    assert refused["application_id"] == filed.json()["id"]
    assert "mine_count_cap" in [v["code"] for v in refused["reasons"]]
    [offering] = impact["refused_offerings"]
    assert offering["offering_id"] == block["id"]
    assert [v["code"] for v in offering["reasons"]] == ["block_not_planned"]
    # a dry run: nothing changed
    shown = await plan.client.get(f"/applications/{filed.json()['id']}", headers=admin(plan))
    assert shown.json()["status"] == ApplicationStatus.filed
    assert shown.json()["edition"] == "2021-2025"

    # published, the lower cap judges what is filed from its effective date on
    request = mining_request(
        owner, at=(111.70, 43.54), scale={"value": "8", "unit": "10k_m3_per_year"}
    )
    with on(TODAY):
        assert (await publish(plan, new, NEXT)).status_code == 200
        before = await plan.client.post("/applications/check", json=request, headers=admin(plan))
        assert (before.json()["edition"], before.json()["passed"]) == ("2021-2025", True)
    with on(AFTER):
        after = await plan.client.post("/applications/check", json=request, headers=admin(plan))
        assert after.json()["edition"] == "2026-2030"
        assert "mine_count_cap" in [v["code"] for v in after.json()["violations"]]


async def test_publishing_dates_which_edition_judges_a_new_application(plan):
    check = plan.auth(Role.bureau_reviewer)
    with on(TODAY):
        owner = await holder(plan, 1)
        new = await draft(plan, title="下一轮规划（测试）")
        new = await edited(plan, new, minerals=higher_granite_minimum(new, "10"))
        published = await publish(plan, new, NEXT)
        assert published.status_code == 200, published.text
        body = published.json()
        assert (body["status"], body["effective_from"]) == ("published", "2027-01-01")
        assert body["published_by"] and body["published_at"]
        [(_, key, data)] = await events(plan, "rights.plan_edition.published")
        assert (key, data["code"], data["replaces"]) == (new["id"], "2026-2030", "2021-2025")
        assert data["effective_from"] == "2027-01-01"
        # filed before the effective date: the old edition, past its period, judges it
        request = mining_request(owner, scale={"value": "8", "unit": "10k_m3_per_year"})
        before = await plan.client.post("/applications", json=request, headers=admin(plan))
        assert before.status_code == 201, before.text
        assert before.json()["edition"] == "2021-2025"
        assert before.headers["plan-edition"] == "2021-2025"
        assert before.headers["plan-edition-past-period"] == "true"
        zones = await plan.client.get("/zones")
        assert (zones.headers["plan-edition"], zones.headers["plan-edition-past-period"]) == (
            "2021-2025",
            "true",
        )
        in_force = await plan.client.get("/plan-editions/current")
        assert (in_force.json()["code"], in_force.json()["past_period"]) == ("2021-2025", True)
    with on(AFTER):
        result = await plan.client.post("/applications/check", json=request, headers=check)
        assert result.json()["edition"] == "2026-2030"
        assert [v["code"] for v in result.json()["violations"]] == ["min_scale"]
        assert result.json()["violations"][0]["numbers"]["minimum"] == "10"
        assert result.headers["plan-edition"] == "2026-2030"
        assert result.headers["plan-edition-past-period"] == "false"
        after = await plan.client.post("/applications", json=request, headers=admin(plan))
        assert after.status_code == 422
        assert after.json()["edition"] == "2026-2030"
        # the one filed before is still judged by its own edition when decided
        approved = await plan.client.post(
            f"/applications/{before.json()['id']}/approve", json={"reason": "ok"}, headers=check
        )
        assert approved.status_code == 200, approved.text
        assert approved.headers["plan-edition"] == "2021-2025"
        assert approved.headers["plan-edition-past-period"] == "true"
        in_force = await plan.client.get("/plan-editions/current")
        assert (in_force.json()["code"], in_force.json()["past_period"]) == ("2026-2030", False)
        assert in_force.headers["plan-edition-past-period"] == "false"


async def test_an_empty_draft_is_refused_with_every_missing_piece(plan):
    with on(TODAY):
        created = await plan.client.post(
            "/plan-editions", json={"code": "2026-2030"}, headers=admin(plan)
        )
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "draft"
        refused = await publish(plan, created.json(), NEXT)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        missing = {(v["field"], v["code"]) for v in refused.json()["violations"]}
        assert missing == {
            ("title", "missing"),
            ("period_start", "missing"),
            ("period_end", "missing"),
            ("minerals", "missing"),
            ("small_mine_cap", "missing"),
            ("mine_caps", "missing"),
            ("city", "missing"),
            ("zones", "missing"),
            ("prohibited_areas", "missing"),
            ("targets", "missing"),
            ("planned_new_rights", "missing"),
            ("rules", "missing"),
        }
        assert all(v["message_zh"] and v["message_en"] for v in refused.json()["violations"])
        # nothing changed: still a draft, the old edition in force, no event
        assert (await current(plan))["code"] == "2021-2025"
        assert await events(plan, "rights.plan_edition.published") == []
        impact = await plan.client.get(
            f"/plan-editions/{created.json()['id']}/impact", headers=admin(plan)
        )
        assert impact.status_code == 422
        assert {v["field"] for v in impact.json()["violations"]} >= {"zones", "mine_caps"}


async def test_a_half_filled_draft_and_a_bad_date_are_refused(plan):
    with on(TODAY):
        new = await draft(plan)
        no_minimum = [{k: v for k, v in m.items() if k != "min_scale"} for m in new["minerals"]]
        half = await edited(
            plan,
            new,
            title="  ",
            zones={"type": "FeatureCollection", "features": []},
            targets=[],
            mine_caps=[],
            minerals=no_minimum,
        )
        refused = await publish(plan, half, date(2021, 1, 1))
        assert refused.status_code == 422
        assert {(v["field"], v["code"]) for v in refused.json()["violations"]} == {
            ("title", "missing"),
            ("effective_from", "before_today"),
            ("effective_from", "outside_period"),
            ("effective_from", "taken"),
            ("zones", "empty"),
            ("targets", "empty"),
            ("mine_caps", "empty"),
            ("minerals.min_scale", "missing"),
        }
        late = await publish(plan, new, date(2031, 1, 1))
        assert {(v["field"], v["code"]) for v in late.json()["violations"]} >= {
            ("effective_from", "outside_period")
        }
        nothing = await plan.client.post(
            f"/plan-editions/{new['id']}/publish", json={}, headers=admin(plan)
        )
        assert nothing.status_code == 422
        assert nothing.json()["errors"][0]["field"] == "body.effective_from"


async def test_a_published_edition_changes_in_place_only_where_it_always_did(plan):
    with on(TODAY):
        edition = await current(plan)
        for part, value in (
            ("title", "改过的名称"),
            ("effective_from", "2021-02-01"),
            ("period_end", "2030-12-31"),
            ("minerals", higher_granite_minimum(edition, "10")),
            ("targets", []),
        ):
            refused = await patch(plan, edition, **{part: value})
            assert refused.status_code == 409, (part, refused.text)
            assert refused.json()["fields"] == [part]
            assert "draft" in refused.json()["detail"]
        assert (await current(plan))["version"] == edition["version"]
        # the caps' adjustment and real boundaries still go in place (规划调整)
        adjusted = await edited(plan, edition, mine_caps=lower_granite_cap(edition, 2))
        assert adjusted["version"] == edition["version"] + 1
        # a draft takes every part, its title and period too; a published one is not published
        new = await draft(plan)
        new = await edited(plan, new, title="测试草案", period_end="2031-12-31", targets=[])
        assert (new["title"], new["period_end"], new["targets"]) == ("测试草案", "2031-12-31", [])
        backwards = await patch(plan, new, period_end="2025-01-01")
        assert backwards.status_code == 422
        again = await publish(plan, edition, NEXT)
        assert again.status_code == 409


async def test_the_diff_shows_the_changed_cap_and_zone(plan):
    with on(TODAY):
        old = await current(plan)
        new = await draft(plan, title="下一轮规划（测试）")
        zones = new["zones"]
        first = zones["features"][0]
        assert first["properties"]["code"] == "SCJ001"
        ring = first["geometry"]["coordinates"][0]
        first["geometry"]["coordinates"][0] = [[lon + 0.01, lat] for lon, lat in ring]
        first["properties"]["area_km2"] = "30"
        zones["features"] = [f for f in zones["features"] if f["properties"]["code"] != "SCJ004"]
        new = await edited(plan, new, mine_caps=lower_granite_cap(new, 1), zones=zones)
        response = await plan.client.get(
            f"/plan-editions/{old['id']}/diff/{new['id']}", headers=plan.auth(Role.bureau_reviewer)
        )
        assert response.status_code == 200, response.text
    diff = response.json()
    assert (diff["a"]["code"], diff["b"]["code"]) == ("2021-2025", "2026-2030")
    fields = {
        (f["part"], f["key"], f["attribute"]): (f["before"], f["after"]) for f in diff["fields"]
    }
    assert fields[("mine_caps", GRANITE_CAP, "max_mines")] == (3, 1)
    assert fields[("title", None, None)] == (old["title"], "下一轮规划（测试）")
    assert fields[("period_start", None, None)] == ("2021-01-01", "2026-01-01")
    assert fields[("effective_from", None, None)] == ("2021-01-01", None)
    assert ("minerals", "construction_granite", "min_scale") not in fields
    zones = {z["key"]: z for z in diff["zones"]}
    assert set(zones) == {"SCJ001", "SCJ004"}
    moved = zones["SCJ001"]
    assert (moved["change"], moved["geometry_changed"]) == ("changed", True)
    # moved east, same shape: the area is about the same, the plan's figure changed
    assert abs(float(moved["area_km2_before"]) - 36.55) < 0.5
    assert abs(float(moved["area_km2_after"]) - float(moved["area_km2_before"])) < 0.1
    assert [(a["attribute"], a["before"], a["after"]) for a in moved["attributes"]] == [
        ("area_km2", "36.55", "30")
    ]
    assert zones["SCJ004"]["change"] == "removed"
    assert zones["SCJ004"]["area_km2_after"] is None
    assert diff["planned_blocks"] == [] and diff["prohibited_areas"] == []
    same = await plan.client.get(
        f"/plan-editions/{old['id']}/diff/{old['id']}", headers=plan.auth(Role.bureau_admin)
    )
    assert same.json()["fields"] == [] and same.json()["zones"] == []


async def test_refusals(plan):
    with on(TODAY):
        edition = await current(plan)
        new = await draft(plan)
        unknown = "00000000-0000-4000-8000-000000000000"
        reviewer, inspector = plan.auth(Role.bureau_reviewer), plan.auth(Role.inspector)
        body = {"code": "2031-2035"}
        url = f"/plan-editions/{edition['id']}"
        assert (await plan.client.post(f"{url}/drafts", json=body)).status_code == 401
        assert (
            await plan.client.post(f"{url}/drafts", json=body, headers=reviewer)
        ).status_code == 403
        assert (
            await plan.client.post(
                f"/plan-editions/{new['id']}/publish",
                json={"effective_from": "2027-01-01"},
                headers=reviewer,
            )
        ).status_code == 403
        for path in (f"{url}/impact", f"{url}/diff/{new['id']}"):
            assert (await plan.client.get(path, headers=inspector)).status_code == 403
            assert (await plan.client.get(path)).status_code == 401
        for response in (
            await plan.client.post(
                f"/plan-editions/{unknown}/drafts", json=body, headers=admin(plan)
            ),
            await plan.client.post(
                f"/plan-editions/{unknown}/publish",
                json={"effective_from": "2027-01-01"},
                headers=admin(plan),
            ),
            await plan.client.get(f"/plan-editions/{unknown}/impact", headers=admin(plan)),
            await plan.client.get(f"{url}/diff/{unknown}", headers=admin(plan)),
        ):
            assert response.status_code == 404, response.text
        taken = await plan.client.post(
            f"{url}/drafts", json={"code": "2026-2030"}, headers=admin(plan)
        )
        assert taken.status_code == 409
        bad = await plan.client.post(f"{url}/drafts", json={"code": "下一轮"}, headers=admin(plan))
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "body.code"
        not_uuid = await plan.client.get("/plan-editions/x/impact", headers=admin(plan))
        assert not_uuid.status_code == 422


async def test_a_draft_is_judged_only_through_its_impact(plan):
    with on(TODAY):
        new = await draft(plan)
        for path in ("conformance", "deadlines"):
            refused = await plan.client.get(
                f"/plan-editions/{new['id']}/{path}", headers=admin(plan)
            )
            assert refused.status_code == 409, (path, refused.text)
            assert "/impact" in refused.json()["detail"]
        acted = await plan.client.post(
            f"/plan-editions/{new['id']}/conformance/actions",
            json={"right_id": "00000000-0000-4000-8000-000000000000", "rule": "prohibited_area"},
            headers=admin(plan),
        )
        assert acted.status_code == 409, acted.text
        # the daily job tracks the deadlines of published editions only
        assert await plan.runtime.run_job("named_deadlines", now=clock.now()) > 0
        tracked = {data["edition_id"] for _, _, data in await events(plan, DEADLINE_CHANGED)}
        assert tracked == {(await current(plan))["id"]}
