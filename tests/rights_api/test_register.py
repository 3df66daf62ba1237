"""The rights register: filters, bounding box, GeoJSON, history, registration, BOLA."""

import pytest
from servicekit.auth import Role

from tests.rights_api.support import BLANK, SCJ001, add_right, count, events, holder


async def listed(service, role=Role.bureau_reviewer, **params) -> list[str]:
    claims = params.pop("claims", {})
    response = await service.client.get(
        "/rights", params=params, headers=service.auth(role, **claims)
    )
    assert response.status_code == 200, response.text
    return [r["mine_name"] for r in response.json()["items"]]


@pytest.fixture
async def register(rights):
    a = await holder(rights, 1, "二连浩特市先锋水泥制品有限公司")
    b = await holder(rights, 2, "二连云峰矿业有限公司")
    made = {
        "granite": await add_right(rights, a, at=SCJ001, zone="SCJ001"),
        "agate": await add_right(
            rights, b, at=BLANK, mineral="agate", scale=None, status="under_construction"
        ),
        "sand": await add_right(
            rights,
            a,
            at=(112.15, 43.25),
            mineral="construction_sand",
            status="suspended",
            zone="SCJ002",
        ),
    }
    return rights, a, b, made


async def test_filters(register):
    service, _, b, made = register
    assert sorted(await listed(service)) == sorted(r["mine_name"] for r in made.values())
    assert await listed(service, holder_id=b) == [made["agate"]["mine_name"]]
    assert await listed(service, mineral="construction_sand") == [made["sand"]["mine_name"]]
    assert await listed(service, status="under_construction") == [made["agate"]["mine_name"]]
    assert await listed(service, zone="SCJ001") == [made["granite"]["mine_name"]]
    assert await listed(service, expiring_before="2029-12-31") == []
    assert len(await listed(service, expiring_before="2030-01-01")) == 3


async def test_bounding_box(register):
    service, *_, made = register
    assert await listed(service, bbox="111.6,43.5,111.8,43.6") == [made["granite"]["mine_name"]]
    assert await listed(service, bbox="111.0,43.0,111.1,43.1") == []
    assert len(await listed(service, bbox="111.3,42.9,112.5,43.8")) == 3
    for bad in ("1,2,3", "a,b,c,d", "112,43,111,44"):
        response = await service.client.get(
            "/rights", params={"bbox": bad}, headers=service.auth(Role.bureau_admin)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.bbox"


async def test_geojson_for_gis_tools(register):
    service, *_, made = register
    response = await service.client.get(
        "/rights.geojson", params={"zone": "SCJ001"}, headers=service.auth(Role.gov_system)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["id"] == made["granite"]["id"]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["licence_no"] == made["granite"]["licence_no"]
    assert feature["properties"]["mineral_name_zh"] == "建筑用花岗岩"
    assert collection["truncated"] is False


async def test_enterprises_see_only_their_own_rights_and_history(register):
    service, a, b, made = register
    own = {"claims": {"holder_id": a}}
    assert sorted(await listed(service, Role.enterprise, **own)) == sorted(
        [made["granite"]["mine_name"], made["sand"]["mine_name"]]
    )
    assert await listed(service, Role.enterprise, holder_id=b, **own) == []
    enterprise = service.auth(Role.enterprise, holder_id=a)
    other = made["agate"]["id"]
    for path in (f"/rights/{other}", f"/rights/{other}/history"):
        response = await service.client.get(path, headers=enterprise)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    mine = made["granite"]["id"]
    assert (
        await service.client.get(f"/rights/{mine}/history", headers=enterprise)
    ).status_code == 200
    geo = (await service.client.get("/rights.geojson", headers=enterprise)).json()
    assert {f["id"] for f in geo["features"]} == {made["granite"]["id"], made["sand"]["id"]}


async def test_the_public_reads_no_rights(register):
    service, *_ = register
    for path in ("/rights", "/rights.geojson"):
        assert (await service.client.get(path)).status_code == 401


async def test_history_says_who_when_why(register):
    service, *_, made = register
    [entry] = (
        await service.client.get(
            f"/rights/{made['granite']['id']}/history", headers=service.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert entry["action"] == "granted"
    assert entry["actor"].startswith("dev-bureau_admin")
    assert entry["to_status"] == "producing"
    assert entry["reason"] == "registered"


@pytest.mark.parametrize(
    ("licence_no", "ok"),
    [
        ("C1525012013061110000123", True),
        ("T1525012013061110000123", True),
        ("152501201306111000", True),  # legacy 18-digit form
        ("C15250120130611100", True),  # legacy: letter and 17 digits
        ("X1525012013061110000123", False),
        ("C15250120130611", False),
    ],
)
async def test_licence_number_forms(rights, licence_no, ok):
    owner = await holder(rights, 1)
    response = await rights.client.post(
        "/rights",
        json={
            "licence_no": licence_no,
            "kind": "mining",
            "holder_id": owner,
            "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
            "mineral": "construction_granite",
            "area_km2": "0.0386",
            "valid_from": "2019-01-01",
            "valid_to": "2029-12-31",
        },
        headers=rights.auth(Role.bureau_admin),
    )
    assert response.status_code == (201 if ok else 422), response.text
    if not ok:
        assert response.json()["errors"][0]["field"] == "body.licence_no"


async def test_registration_checks_the_boundary_and_refuses_duplicates(rights):
    owner = await holder(rights, 1)
    right = await add_right(rights, owner, at=BLANK)
    body = {
        "licence_no": right["licence_no"],
        "kind": "mining",
        "holder_id": owner,
        "mine_name": "重复",
        "mineral": "construction_granite",
        "area_km2": "0.0500",
        "valid_from": "2019-01-01",
        "valid_to": "2029-12-31",
    }
    admin = rights.auth(Role.bureau_admin)
    assert (await rights.client.post("/rights", json=body, headers=admin)).status_code == 409
    wrong_area = {
        **body,
        "licence_no": "C1525012013061110009999",
        "area_km2": "0.0900",
        "boundary": right["boundary"],
    }
    response = await rights.client.post("/rights", json=wrong_area, headers=admin)
    assert response.status_code == 422
    assert [v["code"] for v in response.json()["violations"]] == ["area_mismatch"]
    for role in (Role.bureau_reviewer, Role.inspector):
        refused = await rights.client.post("/rights", json=body, headers=rights.auth(role))
        assert refused.status_code == 403
    assert await count(rights, "SELECT count(*) FROM rights") == 1
    assert len(await events(rights, "rights.right.granted")) == 1
