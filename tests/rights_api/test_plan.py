"""Plan editions as data: the 2021-2025 edition, the edition in force, admin changes, seed."""

import uuid
from datetime import timedelta

from contracts.mining import RightStatus
from rights_api.app import SERVICE
from rights_api.rights import service as rights_service
from rights_api.rights.models import Right
from servicekit.auth import Role
from sqlmodel import select

from tests.rights_api.support import count, events, holder, load_edition, mining_request


async def seed(service) -> None:
    async with service.runtime.db.transaction() as session:
        await SERVICE.seed(session)


async def test_the_current_edition_is_public_with_zones_as_geojson(rights):
    await load_edition(rights)
    response = await rights.client.get("/plan-editions/current")
    assert response.status_code == 200
    edition = response.json()
    assert edition["code"] == "2021-2025"
    assert response.headers["etag"] == '"1"'
    zones = edition["zones"]
    assert zones["type"] == "FeatureCollection"
    props = {f["properties"]["code"]: f["properties"] for f in zones["features"]}
    assert {c: p["area_km2"] for c, p in props.items()} == {
        "SCJ001": "36.55",
        "SCJ002": "27.98",
        "SCJ003": "1.72",
        "SCJ004": "0.25",
    }
    # demo geometry is a flag, never part of a name (the plan's words only)
    assert all(p["illustrative"] and "示意" not in p["name_zh"] for p in props.values())
    kinds = {f["properties"]["kind"] for f in edition["prohibited_areas"]["features"]}
    assert {"urban_boundary", "ecological_red_line", "water_source_protection"} <= kinds
    minimum = {m["mineral"]: m.get("min_scale") for m in edition["minerals"]}
    assert minimum["fluorite"] == {"value": "10", "unit": "10k_t_per_year"}
    assert minimum["construction_sand"] == {"value": "6", "unit": "10k_m3_per_year"}
    caps = {c["name_zh"]: (c["max_mines"], c["max_output"]["value"]) for c in edition["mine_caps"]}
    assert caps == {"建筑用花岗岩": (3, "45"), "建筑用砂": (1, "35"), "合计": (4, "80")}
    assert edition["small_mine_cap"]["max_mines"] == 4
    assert edition["planned_new_rights"]["area_km2"] == "0.777"
    listed = (await rights.client.get("/plan-editions")).json()["items"]
    assert [e["code"] for e in listed] == ["2021-2025"]


async def test_no_edition_means_a_clear_404(rights):
    response = await rights.client.get("/plan-editions/current")
    assert response.status_code == 404
    assert "no plan edition" in response.json()["detail"].lower()


async def test_an_application_is_judged_by_the_edition_in_force_on_its_filing_date(rights):
    await load_edition(rights)
    admin = rights.auth(Role.bureau_admin)
    current = (await rights.client.get("/plan-editions/current")).json()
    owner = await holder(rights, 1)
    body = mining_request(owner, scale={"value": "8", "unit": "10k_m3_per_year"})
    check = rights.auth(Role.bureau_reviewer)
    assert (await rights.client.post("/applications/check", json=body, headers=check)).json()[
        "passed"
    ]

    from servicekit.clock import local_today

    stricter = {
        k: v for k, v in current.items() if k not in ("id", "version", "created_at", "updated_at")
    }
    stricter.update(
        code="2026-2030",
        title="下一轮规划（测试）",
        period_start="2026-01-01",
        period_end="2030-12-31",
        effective_from=(local_today() + timedelta(days=30)).isoformat(),
    )
    for mineral in stricter["minerals"]:
        if mineral["mineral"] == "construction_granite":
            mineral["min_scale"] = {"value": "10", "unit": "10k_m3_per_year"}
    created = await rights.client.post("/plan-editions", json=stricter, headers=admin)
    assert created.status_code == 201, created.text
    # not in force yet: today's filings are still judged by 2021-2025
    result = (await rights.client.post("/applications/check", json=body, headers=check)).json()
    assert (result["passed"], result["edition"]) == (True, "2021-2025")

    # POST makes a draft: it judges nothing until published, here to take effect today
    future = created.json()
    assert future["status"] == "draft"
    moved = await rights.client.post(
        f"/plan-editions/{future['id']}/publish",
        json={"effective_from": local_today().isoformat()},
        headers=admin,
    )
    assert moved.status_code == 200, moved.text
    result = (await rights.client.post("/applications/check", json=body, headers=check)).json()
    assert result["edition"] == "2026-2030"
    assert [v["code"] for v in result["violations"]] == ["min_scale"]
    assert result["violations"][0]["numbers"]["minimum"] == "10"


async def test_only_admins_change_editions_and_with_the_current_etag(rights):
    await load_edition(rights)
    edition = (await rights.client.get("/plan-editions/current")).json()
    url = f"/plan-editions/{edition['id']}"
    change = {"small_mine_cap": {**edition["small_mine_cap"], "max_mines": 5}}
    reviewer = await rights.client.patch(
        url, json=change, headers={**rights.auth(Role.bureau_reviewer), "If-Match": '"1"'}
    )
    assert reviewer.status_code == 403
    admin = rights.auth(Role.bureau_admin)
    assert (await rights.client.patch(url, json=change, headers=admin)).status_code == 428
    ok = await rights.client.patch(url, json=change, headers={**admin, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["small_mine_cap"]["max_mines"] == 5
    assert ok.json()["zones"] == edition["zones"]  # untouched parts stay
    stale = await rights.client.patch(url, json=change, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    bad = await rights.client.patch(
        url, json={"small_mine_cap": {"max_mines": -1}}, headers={**admin, "If-Match": '"2"'}
    )
    assert bad.status_code == 422


async def test_seed_loads_the_edition_and_the_mines_of_zhuanlan_1_once(rights):
    await seed(rights)
    await seed(rights)
    assert await count(rights, "SELECT count(*) FROM plan_editions") == 1
    assert await count(rights, "SELECT count(*) FROM holders") == 8
    assert await count(rights, "SELECT count(*) FROM rights WHERE reference") == 8
    granted = [data for _, _, data in await events(rights, "rights.right.granted")]
    assert len(granted) == 8
    assert all(g["reference"] for g in granted)
    by_mine = {g["mine_name"]: g for g in granted}
    oil = by_mine["内蒙古二连盆地包尔-吉格森油田开采"]
    assert oil["area_km2"] == "131.994"
    assert oil["scale"] == {"value": "13.9", "unit": "10k_t_per_year"}
    assert oil["holder_name"] == "中国石油天然气股份有限公司"
    assert by_mine["二连浩特市盐池北建筑用碳质板岩石料矿"]["status"] == "closed_by_policy"
    assert by_mine["二连浩特市乌希根楚二号建筑用花岗岩矿"]["zone"] == "SCJ001"
    codes = await count(
        rights, "SELECT string_agg(credit_code, ',' ORDER BY credit_code) FROM holders"
    )
    assert "91110000710925462X" in codes
    assert sum("DEM" in c for c in codes.split(",")) == 7
    geo = (
        await rights.client.get("/rights.geojson", headers=rights.auth(Role.bureau_admin))
    ).json()
    assert all(f["properties"]["boundary_illustrative"] for f in geo["features"])
    assert all("示意" not in f["properties"]["mine_name"] for f in geo["features"])


async def test_with_the_seed_the_granite_cap_waits_for_the_closures(rights):
    """专栏一 leaves 3 live granite mines (two closing), the 专栏四 cap: a new granite mine is
    refused until the closures of 乌希根楚三号 and 北山 complete (第二章第三节)."""
    await seed(rights)
    owner = await holder(rights, 20)
    check = rights.auth(Role.bureau_reviewer)
    body = mining_request(owner)
    found = {
        v["code"]
        for v in (await rights.client.post("/applications/check", json=body, headers=check)).json()[
            "violations"
        ]
    }
    assert found == {"mine_count_cap", "city_mine_cap"}

    async with rights.runtime.db.transaction() as session:
        for name in (
            "二连浩特市乌希根楚三号建筑用花岗岩矿",
            "二连浩特市乌希根楚北山建筑用花岗岩矿",
        ):
            right = (await session.exec(select(Right).where(Right.mine_name == name))).one()
            await rights_service.change_status(
                session=session, right=right, to=RightStatus.closed, actor="t", reason="闭坑"
            )
    result = (await rights.client.post("/applications/check", json=body, headers=check)).json()
    assert result["passed"] is True, result


async def test_indicators(rights):
    await seed(rights)
    admin = rights.auth(Role.bureau_admin)
    indicators = (await rights.client.get("/indicators", headers=admin)).json()
    assert indicators["edition"] == "2021-2025"
    small = indicators["city_small_mines"]
    assert (small["mines"], small["max_mines"], small["within"]) == (4, 4, True)
    granite = next(c for c in indicators["mine_caps"] if c["name_zh"] == "建筑用花岗岩")
    assert (granite["mines"], granite["output"], granite["max_output"]) == (3, "14.0000", "45")
    assert indicators["new_rights"]["planned"] == 5
    assert indicators["new_rights"]["by_mineral"]["construction_sand"] == {
        "granted": 0,
        "planned": 2,
    }
    assert indicators["new_rights"]["granted"] == 0
    assert (await rights.client.get("/indicators")).status_code == 401
    enterprise = rights.auth(Role.enterprise, holder_id=str(uuid.uuid4()))
    assert (await rights.client.get("/indicators", headers=enterprise)).status_code == 403


async def test_indicators_count_new_rights_granted_in_the_period(rights):
    await load_edition(rights)
    from servicekit.clock import local_today

    admin = rights.auth(Role.bureau_admin)
    current = (await rights.client.get("/plan-editions/current")).json()
    following = {
        k: v for k, v in current.items() if k not in ("id", "version", "created_at", "updated_at")
    }
    following.update(
        code="2026-2030",
        title="下一轮规划（测试）",
        period_start="2026-01-01",
        period_end="2030-12-31",
        effective_from=local_today().isoformat(),
    )
    drafted = await rights.client.post("/plan-editions", json=following, headers=admin)
    assert drafted.status_code == 201
    published = await rights.client.post(
        f"/plan-editions/{drafted.json()['id']}/publish",
        json={"effective_from": local_today().isoformat()},
        headers=admin,
    )
    assert published.status_code == 200, published.text
    owner = await holder(rights, 1)
    filed = await rights.client.post("/applications", json=mining_request(owner), headers=admin)
    assert filed.status_code == 201
    approved = await rights.client.post(
        f"/applications/{filed.json()['id']}/approve",
        json={"reason": "ok"},
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert approved.status_code == 200
    new = (await rights.client.get("/indicators", headers=admin)).json()["new_rights"]
    assert (new["granted"], new["planned"]) == (1, 5)
    assert new["by_mineral"]["construction_granite"] == {"granted": 1, "planned": 3}
    assert new["granted_area_km2"] == "0.1500"


async def test_zones_for_gis_tools(rights):
    await load_edition(rights)
    response = await rights.client.get("/zones")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    codes = [f["properties"]["code"] for f in response.json()["features"]]
    assert codes == ["SCJ001", "SCJ002", "SCJ003", "SCJ004"]
    one = (await rights.client.get("/zones/SCJ002")).json()
    assert one["properties"]["name_zh"].startswith("乌敦花建筑用砂、建筑用板岩矿集中开采区")
    assert one["properties"]["minerals"] == ["construction_sand", "slate"]
    missing = await rights.client.get("/zones/SCJ009")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_a_draft_still_being_filled_is_refused_where_its_content_is_read(rights):
    """Setting who answers for an indicator reads the edition's content; an empty draft has none
    yet: a 422 naming what is missing, not a 500 (found by schemathesis)."""
    admin = rights.auth(Role.bureau_admin)
    drafted = await rights.client.post("/plan-editions", json={"code": "2031-2035"}, headers=admin)
    assert drafted.status_code == 201, drafted.text
    owner = await rights.client.put(
        f"/plan-editions/{drafted.json()['id']}/indicator-owners/KQ-05",
        json={"unit": "矿产资源管理科", "person": "张三"},
        headers=admin,
    )
    assert owner.status_code == 422, owner.text
    problem = owner.json()
    assert problem["type"].endswith("edition-incomplete")
    assert "minerals" in problem["detail"] and "zones" in problem["detail"]
