"""Boundaries that cannot be a licensed area, sent to every rights-api operation that takes one
(the admission check, an application, a right entered into the register): a problem+json 422
naming the fault, nothing written; a coordinate list too large for a body is a 413 before any
of it is read."""

import copy
import json

import pytest
from rights_api.plan.edition_2021_2025 import edition
from servicekit.auth import Role

from tests.rights_api.support import holder, load_edition, mining_request
from tests.security.test_bad_input import fingerprint

TAKE_A_BOUNDARY = ["/applications/check", "/applications", "/rights"]


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


def right(owner: str) -> dict:
    """A right to enter into the register, on the sample application's boundary."""
    application = mining_request(owner)
    return {
        "licence_no": "C1525012019017130000001",
        "kind": "mining",
        "holder_id": owner,
        "mine_name": application["mine_name"],
        "mineral": application["mineral"],
        "area_km2": application["area_km2"],
        "valid_from": "2019-01-01",
        "valid_to": "2029-12-31",
        "boundary": application["boundary"],
    }


def with_ring(body: dict, ring) -> dict:
    body = copy.deepcopy(body)
    body["boundary"]["coordinates"] = [ring]
    return body


def bow_tie(ring):
    a, b, c, d, _ = ring
    return [a, c, b, d, a]


# refused by the schema on every operation: a 422 naming the field
MALFORMED = {
    "nan": (lambda r: [[float("nan"), r[0][1]], *r[1:-1], [float("nan"), r[0][1]]], "finite"),
    "infinity": (lambda r: [[r[0][0], float("inf")], *r[1:-1], [r[0][0], float("inf")]], "finite"),
    "text": (lambda r: [["111.7", "north"], *r[1:]], "boundary.coordinates"),
    "a point for a ring": (lambda r: r[0], "boundary.coordinates"),
    "ten thousand corners and one": (lambda r: spiral(10_001), "at most 10000"),
}
# well-formed but not an area: the check answers with the violation, the others refuse
NOT_AN_AREA = {
    "self_intersection": lambda r: [r[0], r[2], r[1], r[3], r[0]],
    "ring_not_closed": lambda r: r[:-1],
    "ring_too_short": lambda r: [r[0], r[1], r[0]],
}


def spiral(corners: int) -> list[list[float]]:
    """A closed zigzag ring of ``corners`` positions near SCJ001 (small enough for one body)."""
    ring = [[111.68 + i * 1e-7, 43.53 + (i % 2) * 1e-7] for i in range(corners - 1)]
    return [*ring, ring[0]]


async def send(plan, path: str, body: dict):
    return await plan.client.post(
        path,
        content=json.dumps(body),  # NaN and Infinity as Python writes them
        headers={**plan.auth(Role.bureau_admin), "content-type": "application/json"},
    )


def bodies(owner: str) -> dict[str, dict]:
    return {
        "/applications/check": mining_request(owner),
        "/applications": mining_request(owner),
        "/rights": right(owner),
    }


@pytest.mark.parametrize("fault", list(MALFORMED))
async def test_a_malformed_boundary_is_a_422_naming_it(plan, fault):
    broken, names = MALFORMED[fault]
    owner = await holder(plan, 1)
    before = await fingerprint(plan)
    for path, body in bodies(owner).items():
        ring = broken(body["boundary"]["coordinates"][0])
        response = await send(plan, path, with_ring(body, ring))
        assert response.status_code == 422, f"{path}: {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
        assert names in response.text, f"{path}: {response.text[:500]}"
    assert await fingerprint(plan) == before


@pytest.mark.parametrize("fault", list(NOT_AN_AREA))
async def test_a_boundary_that_is_not_an_area_is_refused_naming_the_fault(plan, fault):
    owner = await holder(plan, 1)
    before = await fingerprint(plan)
    for path, body in bodies(owner).items():
        ring = NOT_AN_AREA[fault](body["boundary"]["coordinates"][0])
        response = await send(plan, path, with_ring(body, ring))
        if path == "/applications/check":  # a check answers; it refuses nothing
            assert response.status_code == 200, response.text
            assert response.json()["passed"] is False
        else:
            assert response.status_code == 422, f"{path}: {response.text}"
            assert response.headers["content-type"] == "application/problem+json"
        assert fault in response.text, f"{path}: {response.text[:500]}"
    assert await fingerprint(plan) == before


async def test_two_hundred_thousand_corners_are_a_413_before_any_is_read(plan):
    owner = await holder(plan, 1)
    before = await fingerprint(plan)
    for path in TAKE_A_BOUNDARY:
        body = with_ring(mining_request(owner), spiral(200_000))
        response = await plan.client.post(path, json=body, headers=plan.auth(Role.bureau_admin))
        assert response.status_code == 413, response.text
        assert response.json()["type"] == "urn:mineadmin:problem:payload-too-large"
    assert await fingerprint(plan) == before


async def test_corner_coordinates_that_are_not_numbers_are_a_422(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    del body["boundary"]
    before = await fingerprint(plan)
    for points, names in [
        ([[4806046.07, float("nan")]] * 4, "finite"),
        ([[4806046.07, float("inf")]] * 4, "finite"),
        ([["north", "east"]] * 4, "corners"),
        ([[4806046.07 + i, 564656.49] for i in range(10_001)], "at most 10000"),
    ]:
        body["corners"] = {"crs": "EPSG:4546", "points": points}
        response = await send(plan, "/applications", body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert names in response.text, response.text[:500]
    assert await fingerprint(plan) == before


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
async def test_a_plan_edition_with_a_zone_corner_that_is_not_a_number_is_a_422(rights, bad):
    data = edition().model_dump(mode="json")
    ring = data["zones"]["features"][0]["geometry"]["coordinates"][0]
    ring[0][0] = ring[-1][0] = bad
    before = await fingerprint(rights)
    response = await send(rights, "/plan-editions", data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "body.zones.features.0.geometry"
    assert "finite" in response.text
    assert await fingerprint(rights) == before
