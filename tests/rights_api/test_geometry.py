"""Boundaries: GeoJSON and 拐点坐标 (EPSG:4546, EPSG:4525), ring checks, the area check."""

from decimal import Decimal

import pyproj
import pytest
from rights_api.geometry import CornerCrs, Corners, corners_to_polygon, geodesic_area_km2
from servicekit.auth import Role
from shapely.geometry import MultiPolygon, Polygon

from tests.rights_api.support import codes, holder, load_edition, mining_request


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


async def check(service, body: dict):
    return await service.client.post(
        "/applications/check", json=body, headers=service.auth(Role.bureau_reviewer)
    )


def projected(ring: list[list[float]], crs: str) -> list[list[float]]:
    to_gk = pyproj.Transformer.from_crs("EPSG:4490", crs)  # (lat, lon) → (X north, Y east)
    return [list(to_gk.transform(lat, lon)) for lon, lat in ring[:-1]]


def test_the_central_meridian_of_both_projections_is_111_east():
    for crs, easting in ((CornerCrs.cm111, 500_000.0), (CornerCrs.zone37, 37_500_000.0)):
        ring = corners_to_polygon(
            Corners(
                crs=crs,
                points=[[4_800_000, easting], [4_800_000, easting + 1000], [4_801_000, easting]],
            )
        ).coordinates[0]
        lon, lat = ring[0]
        assert lon == pytest.approx(111.0, abs=1e-9)
        assert 43.3 < lat < 43.4
        assert ring[0] == ring[-1]  # the ring is closed for the caller


@pytest.mark.parametrize("crs", ["EPSG:4546", "EPSG:4525"])
async def test_corner_coordinates_give_the_same_answer_as_geojson(plan, crs):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    by_geojson = (await check(plan, body)).json()
    points = projected(body.pop("boundary")["coordinates"][0], crs)
    if crs == "EPSG:4525":
        assert all(37_000_000 < y < 38_000_000 for _, y in points)
    by_corners = (await check(plan, {**body, "corners": {"crs": crs, "points": points}})).json()
    assert by_corners["passed"] is True, by_corners
    assert by_corners["zone"] == "SCJ001"
    assert float(by_corners["computed_area_km2"]) == pytest.approx(
        float(by_geojson["computed_area_km2"]), rel=1e-6
    )


async def test_corners_without_the_zone_prefix_are_refused_naming_the_field(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    points = projected(body.pop("boundary")["coordinates"][0], "EPSG:4546")
    response = await check(plan, {**body, "corners": {"crs": "EPSG:4525", "points": points}})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "body.corners.points"
    assert "zone prefix 37" in error["message"]


async def test_both_boundary_formats_at_once_are_refused(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    points = projected(body["boundary"]["coordinates"][0], "EPSG:4546")
    response = await check(plan, {**body, "corners": {"crs": "EPSG:4546", "points": points}})
    assert response.status_code == 422
    assert "either boundary" in response.text


@pytest.mark.parametrize(
    ("declared", "passes"),
    [("0.1510", True), ("0.1486", True), ("0.1520", False), ("0.1400", False)],
)
async def test_the_declared_area_must_match_the_geodesic_area_within_one_percent(
    plan, declared, passes
):
    owner = await holder(plan, 1)
    result = (await check(plan, {**mining_request(owner), "area_km2": declared})).json()
    assert result["passed"] is passes, result
    if not passes:
        [violation] = result["violations"]
        assert violation["code"] == "area_mismatch"
        assert violation["clause"] == "第五章第三节"
        assert violation["numbers"]["declared_km2"] == declared
        assert float(violation["numbers"]["computed_km2"]) == pytest.approx(0.15, abs=1e-4)


async def test_an_unclosed_ring_is_a_violation(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    body["boundary"]["coordinates"][0].pop()  # drop the closing position
    result = (await check(plan, body)).json()
    assert result["passed"] is False
    assert codes(result)["ring_not_closed"]["clause"] == "第五章第三节"


async def test_a_self_intersecting_ring_is_a_violation(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    a, b, c, d, _ = body["boundary"]["coordinates"][0]
    body["boundary"]["coordinates"][0] = [a, c, b, d, a]  # a bow tie
    result = (await check(plan, body)).json()
    violation = codes(result)["self_intersection"]
    assert violation["clause"] == "第五章第三节"
    assert "Self-intersection" in violation["numbers"]["reason"]


async def test_projected_numbers_sent_as_geojson_are_a_violation(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    points = projected(body["boundary"]["coordinates"][0], "EPSG:4546")
    body["boundary"] = {"type": "Polygon", "coordinates": [[*points, points[0]]]}
    result = (await check(plan, body)).json()
    assert "not_longitude_latitude" in codes(result)


def test_a_hole_subtracts_from_the_area_whichever_way_its_ring_turns():
    outer = [[111.80, 43.40], [111.81, 43.40], [111.81, 43.41], [111.80, 43.41], [111.80, 43.40]]
    hole = [[111.802, 43.402], [111.804, 43.402], [111.804, 43.404], [111.802, 43.404]]
    hole.append(hole[0])
    whole = geodesic_area_km2(Polygon(outer))
    cut = geodesic_area_km2(Polygon(hole))
    rounding = Decimal("0.000001")  # each area is rounded to 1 m²
    for turned in (hole, hole[::-1]):  # with its outer ring (as corner files list it), and against
        assert abs(geodesic_area_km2(Polygon(outer, [turned])) - (whole - cut)) <= rounding
    multi = MultiPolygon([Polygon(outer, [hole])])
    assert abs(geodesic_area_km2(multi) - (whole - cut)) <= rounding
