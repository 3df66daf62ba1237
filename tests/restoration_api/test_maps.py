"""Boundaries of legacy sites and mines' works, and the public GeoJSON layers built from them
(GET /legacy-sites.geojson, GET /restoration-areas.geojson): the contract rights-api's OGC API
reads."""

import uuid

from restoration_api.seed import seed
from servicekit.auth import Role

from tests.restoration_api.support import admin, enterprise, grant, work

SQUARE = [[111.95, 43.62], [111.962, 43.62], [111.962, 43.6287], [111.95, 43.6287], [111.95, 43.62]]
HOLE = [
    [111.953, 43.622], [111.953, 43.625], [111.957, 43.625], [111.957, 43.622], [111.953, 43.622]
]  # fmt: skip
FAR = [[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def shifted(ring, dlon: float, dlat: float = 0.0) -> list:
    return [[lon + dlon, lat + dlat] for lon, lat in ring]


async def site(service, code="LS-T1", **extra) -> dict:
    body = {"code": code, "name": "盐池废弃采区", "edition": "2021-2025", **extra}
    response = await service.client.post("/legacy-sites", json=body, headers=admin(service))
    assert response.status_code == 201, response.text
    return response.json()


async def layer(service, name: str, headers=None, **params) -> dict:
    response = await service.client.get(f"/{name}.geojson", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return body


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def test_a_legacy_site_with_a_boundary_is_on_the_public_layer_with_its_verdict(restoration):
    placed = await site(restoration, boundary=polygon(SQUARE, HOLE), damaged_area_ha="80")
    await site(restoration, code="LS-T2")  # no boundary: left out
    assert placed["boundary"]["coordinates"][1] == HOLE
    assert placed["boundary_illustrative"] is False

    body = await layer(restoration, "legacy-sites")
    [feature] = body["features"]
    assert feature["id"] == placed["id"]
    assert feature["geometry"] == polygon(SQUARE, HOLE)
    assert feature["properties"] == {
        "code": "LS-T1",
        "name": "盐池废弃采区",
        "edition": "2021-2025",
        "damaged_area_ha": 80.0,
        "restored_area_ha": 0.0,
        "status": "registered",
        "accepted_on": None,
        "illustrative": False,
    }

    for passed, area, on in ((False, "0", "2025-05-10"), (True, "52", "2025-09-30")):
        response = await restoration.client.post(
            "/acceptances",
            json={"legacy_site_id": placed["id"], "passed": passed, "accepted_area_ha": area,
                  "inspected_on": on, "reasons": [] if passed else ["覆土不足"]},
            headers=admin(restoration),
        )  # fmt: skip
        assert response.status_code == 201, response.text
    [feature] = (await layer(restoration, "legacy-sites"))["features"]
    assert feature["properties"]["status"] == "accepted"
    assert feature["properties"]["accepted_on"] == "2025-09-30"
    assert feature["properties"]["restored_area_ha"] == 52.0
    assert "plan_clause" not in feature["properties"]  # officials' fields stay off the public

    gov = restoration.auth(Role.gov_system)
    [official] = (await layer(restoration, "legacy-sites", headers=gov))["features"]
    assert official["properties"]["works"] == 0
    assert "plan_clause" in official["properties"]


async def test_bbox_selects_by_bounding_box_and_a_bad_one_is_a_422_naming_it(restoration):
    near = await site(restoration, boundary=polygon(SQUARE))
    east = await site(restoration, code="LS-EAST", boundary=polygon(shifted(SQUARE, 0.3)))
    everything = await layer(restoration, "legacy-sites")
    assert [f["id"] for f in everything["features"]] == [east["id"], near["id"]]  # by code
    west = await layer(restoration, "legacy-sites", bbox="111.9,43.6,112.0,43.7")
    assert [f["id"] for f in west["features"]] == [near["id"]]
    # a box touching the square's east edge only still meets it
    edge = await layer(restoration, "legacy-sites", bbox="111.962,43.0,111.99,44.0")
    assert [f["id"] for f in edge["features"]] == [near["id"]]
    assert (await layer(restoration, "legacy-sites", bbox="100,10,101,11"))["features"] == []

    for bad in ("111.9,43.6,112.0", "a,b,c,d", "112,43.6,111.9,43.7", "1,2,3,4,5", "nan,1,2,3"):
        for name in ("legacy-sites", "restoration-areas"):
            response = await restoration.client.get(f"/{name}.geojson", params={"bbox": bad})
            assert response.status_code == 422, (bad, response.text)
            assert "query.bbox" in fields(response), response.text


async def test_boundaries_are_refused_naming_the_field_and_what_is_wrong(restoration):
    open_ring = SQUARE[:-1]
    bow_tie = [[111.9, 43.6], [112.0, 43.7], [112.0, 43.6], [111.9, 43.7], [111.9, 43.6]]
    cases = [
        (polygon(open_ring), "not closed"),
        (polygon([*SQUARE[:2], SQUARE[0]]), "has 3 positions"),
        (polygon(FAR), "near Erenhot"),
        (polygon(bow_tie), "Self-intersection"),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "nesting of a MultiPolygon"),
        ({"type": "Point", "coordinates": [111.95, 43.62]}, ""),
    ]
    target = await site(restoration)
    for boundary, why in cases:
        created = await restoration.client.post(
            "/legacy-sites",
            json={"code": "LS-BAD", "name": "x", "edition": "2021-2025", "boundary": boundary},
            headers=admin(restoration),
        )
        assert created.status_code == 422, created.text
        assert any(f.startswith("body.boundary") for f in fields(created)), created.text
        assert why in created.text
        set_ = await restoration.client.put(
            f"/legacy-sites/{target['id']}/boundary",
            json={"boundary": boundary},
            headers=admin(restoration),
        )
        assert set_.status_code == 422, set_.text
        assert any(f.startswith("body.boundary") for f in fields(set_)), set_.text
    assert (await layer(restoration, "legacy-sites"))["features"] == []


async def test_the_bureau_sets_replaces_and_removes_a_sites_boundary(restoration):
    target = await site(restoration)
    url = f"/legacy-sites/{target['id']}/boundary"
    two = {"type": "MultiPolygon", "coordinates": [[SQUARE], [shifted(SQUARE, 0.05)]]}
    response = await restoration.client.put(
        url, json={"boundary": two, "illustrative": True}, headers=admin(restoration)
    )
    assert response.status_code == 200, response.text
    assert response.json()["boundary"] == two
    [feature] = (await layer(restoration, "legacy-sites"))["features"]
    assert feature["geometry"] == two
    assert feature["properties"]["illustrative"] is True
    reviewer = restoration.auth(Role.bureau_reviewer)
    refused = await restoration.client.put(url, json={"boundary": two}, headers=reviewer)
    assert refused.status_code == 403
    missing = await restoration.client.put(
        f"/legacy-sites/{uuid.uuid4()}/boundary", json={"boundary": two}, headers=admin(restoration)
    )
    assert missing.status_code == 404
    removed = await restoration.client.put(url, json={"boundary": None}, headers=admin(restoration))
    assert removed.status_code == 200, removed.text
    assert removed.json()["boundary"] is None
    assert (await layer(restoration, "legacy-sites"))["features"] == []


async def test_a_mines_work_with_a_boundary_is_a_restoration_area(restoration):
    fund = await grant(restoration)
    right, holder = fund["right_id"], fund["holder_id"]
    owner = enterprise(restoration, holder)
    created = await restoration.client.post(
        "/works",
        json={"right_id": right, "code": "RA-2026-WXGC2-01", "kind": "land_reclamation",
              "name": "乌希根楚二号 排土场覆土复垦", "area_ha": "0.8",
              "estimated_cost": "60000.00", "year": 2026, "boundary": polygon(SQUARE)},
        headers=owner,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    reclaimed = created.json()
    assert reclaimed["code"] == "RA-2026-WXGC2-01"
    unplaced = await work(restoration, right)  # no boundary: not on the map
    assert unplaced["code"] == f"RA-2026-{uuid.UUID(unplaced['id']).hex[:8].upper()}"
    assert unplaced["kind"] is None

    [feature] = (await layer(restoration, "restoration-areas"))["features"]
    assert feature["id"] == reclaimed["id"]
    assert feature["geometry"] == polygon(SQUARE)
    assert feature["properties"] == {
        "code": "RA-2026-WXGC2-01",
        "right_id": right,
        "kind": "land_reclamation",
        "area_ha": 0.8,
        "status": "in_progress",
        "accepted_on": None,
        "illustrative": False,
    }

    # the owner places its other work; another enterprise cannot even see it
    url = f"/works/{unplaced['id']}/boundary"
    other = enterprise(restoration, uuid.uuid4())
    hidden = await restoration.client.put(url, json={"boundary": polygon(SQUARE)}, headers=other)
    assert hidden.status_code == 404
    shape = polygon(shifted(SQUARE, 0.02))
    placed = await restoration.client.put(url, json={"boundary": shape}, headers=owner)
    assert placed.status_code == 200, placed.text
    accepted = await restoration.client.post(
        "/acceptances",
        json={"right_id": right, "work_id": unplaced["id"], "passed": True,
              "accepted_area_ha": "1.2", "inspected_on": "2026-10-15"},
        headers=admin(restoration),
    )  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    areas = (await layer(restoration, "restoration-areas"))["features"]
    by_id = {f["id"]: f for f in areas}
    assert by_id[unplaced["id"]]["properties"]["status"] == "accepted"
    assert by_id[unplaced["id"]]["properties"]["accepted_on"] == "2026-10-15"
    assert "name" not in by_id[unplaced["id"]]["properties"]
    official = await layer(restoration, "restoration-areas", headers=admin(restoration))
    assert {f["properties"]["name"] for f in official["features"]} == {
        "乌希根楚二号 排土场覆土复垦",
        "乌希根楚二号 采场边坡削坡及覆土绿化",
    }

    taken = await restoration.client.post(
        "/works",
        json={"right_id": right, "code": "RA-2026-WXGC2-01", "name": "x", "area_ha": "1",
              "estimated_cost": "1.00", "year": 2026},
        headers=owner,
    )  # fmt: skip
    assert taken.status_code == 409


async def test_a_legacy_sites_work_is_not_a_mines_restoration_area(restoration):
    target = await site(restoration)
    response = await restoration.client.post(
        "/works",
        json={"legacy_site_id": target["id"], "name": "盐池 采坑回填", "area_ha": "2",
              "estimated_cost": "10000.00", "year": 2025, "boundary": polygon(SQUARE)},
        headers=admin(restoration),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert (await layer(restoration, "restoration-areas"))["features"] == []
    await restoration.client.put(
        f"/legacy-sites/{target['id']}/boundary",
        json={"boundary": polygon(SQUARE)},
        headers=admin(restoration),
    )
    [feature] = (await layer(restoration, "legacy-sites", headers=admin(restoration)))["features"]
    assert feature["properties"]["works"] == 1
    assert feature["properties"]["status"] == "in_progress"


async def test_the_seeded_legacy_sites_have_illustrative_boundaries(restoration):
    async with restoration.runtime.db.transaction() as session:
        await seed(session)
    body = await layer(restoration, "legacy-sites")
    assert {f["properties"]["code"] for f in body["features"]} == {
        "LS-YANCHI",
        "LS-G208-23KM",
        "LS-NW-BORROW",
        "LS-G208-S309-PITS",
    }
    assert all(f["properties"]["illustrative"] is True for f in body["features"])
    pits = next(f for f in body["features"] if f["properties"]["code"] == "LS-G208-S309-PITS")
    assert pits["geometry"]["type"] == "MultiPolygon"
    assert all("示意" not in f["properties"]["name"] for f in body["features"])
