"""Corner-coordinate files 拐点坐标 (国土TXT layout): a right's boundary out in both Gauss-Krüger
forms, any file read back to a CGCS2000 boundary; the eight reference mines of 专栏一 round-trip,
holes and multi-part boundaries too; every refusal names its line; only who may read the right
reads its corners."""

import math
import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rights_api.app import SERVICE
from rights_api.corners import format, service
from rights_api.corners.service import header
from rights_api.geometry import CornerCrs, geodesic_area_km2, lonlat_to_corner
from rights_api.seed import MINES_2020
from servicekit.auth import Role
from servicekit.errors import Unprocessable
from shapely.geometry import shape

from tests.rights_api.support import BLANK, add_right, holder

FORMS = (CornerCrs.zone37, CornerCrs.cm111)
# 0.01 m, the format's precision, is about 1e-7 degrees here; allow rounding on both axes
DEGREES = 2e-7


async def seeded(rights) -> None:
    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)


def admin(rights) -> dict[str, str]:
    return rights.auth(Role.bureau_admin)


async def corners_txt(rights, right_id, crs: CornerCrs, headers=None, **params):
    response = await rights.client.get(
        f"/rights/{right_id}/corners.txt",
        params={"crs": crs.value, **params},
        headers=headers or admin(rights),
    )
    assert response.status_code == 200, response.text
    return response


async def parse(rights, text: str | bytes, headers=None, content_type="text/plain"):
    body = text.encode() if isinstance(text, str) else text
    caller = admin(rights) if headers is None else headers
    return await rights.client.post(
        "/rights/corners/parse", content=body, headers={"Content-Type": content_type, **caller}
    )


def moved_km2(area_km2: float) -> float:
    """How far rounding a square's corners to 0.01 m (and its area to 1 m²) can move its area."""
    side_m = math.sqrt(area_km2 * 1e6)
    return (4 * side_m * 0.01 + 2) / 1e6


def assert_same_boundary(parsed: dict, stored: dict) -> None:
    assert parsed["type"] == stored["type"]
    polygons = [parsed["coordinates"]] if parsed["type"] == "Polygon" else parsed["coordinates"]
    expected = [stored["coordinates"]] if stored["type"] == "Polygon" else stored["coordinates"]
    assert [len(p) for p in polygons] == [len(p) for p in expected]
    for rings, want_rings in zip(polygons, expected, strict=True):
        for ring, want in zip(rings, want_rings, strict=True):
            assert len(ring) == len(want)
            for (lon, lat), (want_lon, want_lat, *_) in zip(ring, want, strict=True):
                assert abs(lon - want_lon) <= DEGREES and abs(lat - want_lat) <= DEGREES


async def test_the_eight_mines_of_the_plan_round_trip_in_both_forms(rights):
    await seeded(rights)
    listed = await rights.client.get("/rights", params={"limit": 50}, headers=admin(rights))
    mines = {r["mine_name"]: r for r in listed.json()["items"]}
    assert len(MINES_2020) == 8
    assert set(mines) == {m[1] for m in MINES_2020}
    for name, right in mines.items():
        assert right["boundary_illustrative"] is True
        for crs in FORMS:
            response = await corners_txt(rights, right["id"], crs)
            assert response.headers["content-type"] == "text/plain; charset=utf-8"
            assert right["licence_no"] in response.headers["content-disposition"]
            text = response.text
            assert text.startswith("[属性描述]\r\n")
            assert "坐标系=2000国家大地坐标系\r\n" in text and "带号=37\r\n" in text
            record, first, *_ = text.split("[地块坐标]\r\n")[1].splitlines()
            assert record.endswith(",面,,采矿权,,@") and name in record
            y = float(first.split(",")[3])
            assert (y > 37_000_000) is (crs is CornerCrs.zone37)

            parsed = await parse(rights, text)
            assert parsed.status_code == 200, (name, parsed.text)
            body = parsed.json()
            assert body["crs"] == crs.value
            assert_same_boundary(body["boundary"], right["boundary"])
            computed = float(right["computed_area_km2"])
            assert abs(float(body["area_km2"]) - computed) <= moved_km2(computed)
            [parcel] = body["parcels"]
            assert parcel["points"] == 5 and parcel["rings"] == 1
            declared, area = float(parcel["declared_area_ha"]), float(parcel["area_ha"])
            assert abs(declared - area) <= moved_km2(computed) * 100


def ring_m(x0: float, y0: float, size: float) -> list[tuple[float, float]]:
    """A square ring of ``size`` metres (X north, Y east), clockwise as surveyors list it."""
    return [(x0, y0), (x0, y0 + size), (x0 - size, y0 + size), (x0 - size, y0)]


def corner_text(parcels: list[list[list[tuple[float, float]]]], prefix: float = 0.0) -> str:
    built = []
    for index, rings in enumerate(parcels, start=1):
        numbered, written = 0, []
        for ring_no, ring in enumerate(rings, start=1):
            points = []
            for x, y in ring:
                numbered += 1
                points.append(format.Point(f"J{numbered}", x, y + prefix))
            written.append(format.Ring(ring_no, [*points, points[0]]))
        built.append(format.Parcel(str(index), f"测试区块{index}", "", "采矿权", written))
    return format.write(header(date(2026, 12, 6)), built)


async def test_holes_and_multi_part_boundaries_round_trip(rights):
    outer, hole = ring_m(4_835_800.0, 564_000.0, 400.0), ring_m(4_835_700.0, 564_100.0, 100.0)
    second = ring_m(4_835_800.0, 565_000.0, 200.0)
    for prefix, crs in ((0.0, CornerCrs.cm111), (37_000_000.0, CornerCrs.zone37)):
        text = corner_text([[outer, hole], [second]], prefix)
        response = await parse(rights, text)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["crs"] == crs.value
        boundary = body["boundary"]
        assert boundary["type"] == "MultiPolygon"
        assert [len(p) for p in boundary["coordinates"]] == [2, 1]
        # Gauss-Krüger scale near 111.8°E is within 1e-4 of 1: areas match the plane's
        expected_m2 = 400**2 - 100**2 + 200**2
        assert math.isclose(float(body["area_km2"]) * 1e6, expected_m2, rel_tol=2e-3)
        assert float(body["parcels"][0]["area_ha"]) == pytest.approx(15.0, rel=2e-3)
        assert shape(boundary).is_valid
        # and each corner comes back where it was, to the format's 0.01 m
        lon, lat = boundary["coordinates"][0][1][1]
        x, y = lonlat_to_corner(crs, lon, lat)
        assert abs(x - hole[1][0]) < 0.01 and abs(y - (hole[1][1] + prefix)) < 0.01


async def test_a_right_with_a_hole_exports_and_parses_back_the_same(rights):
    owner = await holder(rights, 41)
    lon, lat = BLANK
    outer = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.008], [lon, lat + 0.008]]
    inner = [[lon + 0.003, lat + 0.002], [lon + 0.003, lat + 0.004], [lon + 0.005, lat + 0.004],
             [lon + 0.005, lat + 0.002]]  # fmt: skip
    boundary = {"type": "Polygon", "coordinates": [[*outer, outer[0]], [*inner, inner[0]]]}
    area = float(geodesic_area_km2(shape(boundary)))
    right = await add_right(rights, owner, at=BLANK, area=area, boundary=boundary)
    for crs in FORMS:
        text = (await corners_txt(rights, right["id"], crs)).text
        assert ",2," in text  # the hole's points carry 圈号 2
        assert text.split("[地块坐标]\r\n")[1].startswith("10,")  # 4 + 1 and 4 + 1 lines
        parsed = (await parse(rights, text)).json()
        assert_same_boundary(parsed["boundary"], right["boundary"])


BASE = corner_text([[ring_m(4_835_800.0, 37_564_000.0, 400.0), ring_m(4_835_700.0, 37_564_100.0, 100.0)]])  # fmt: skip  # noqa: E501


def edited(line: int, new: str | None) -> str:
    """BASE with line ``line`` (1-based) replaced, or removed when ``new`` is None."""
    lines = BASE.split("\r\n")
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\r\n".join(lines)


def test_the_base_file_is_what_the_refusals_edit():
    lines = BASE.split("\r\n")
    assert lines[0] == "[属性描述]" and lines[11] == "[地块坐标]"
    assert lines[12] == "10,,1,测试区块1,面,,采矿权,,@"
    assert lines[13].startswith("J1,1,") and lines[18].startswith("J5,2,")
    assert format.read(BASE).parcels[0].rings[1].points[0].number == "J5"


REFUSALS = [
    ("no section", edited(1, "属性描述"), 1, "expected [属性描述]"),
    ("bad header value", edited(5, "坐标系=1980西安坐标系"), 5, "only 坐标系=2000国家大地坐标系"),
    ("header without =", edited(6, "几度分带 3"), 6, "is not key=value"),
    ("unknown header", edited(10, "精确度=0.01"), 10, "unknown header field"),
    ("wrong zone", edited(9, "带号=38"), 9, "only 带号=37"),
    ("header lacks", edited(9, None), 11, "lacks 带号"),
    ("no parcels section", BASE.split("[地块坐标]")[0], 12, "no [地块坐标]"),
    ("bad number", edited(15, "J2,1,48358x0.00,37564400.00"), 15, "X '48358x0.00' is not a number"),
    ("bad number y", edited(16, "J3,1,4835400.00,"), 16, "Y '' is not a number"),
    ("too few fields", edited(16, "J3,1,4835400.00"), 16, "4 fields, found 3"),
    ("unknown ring marker", edited(16, "J3,A,4835400.00,37564400.00"), 16, "unknown ring marker"),
    ("ring out of order", edited(19, "J5,3,4835700.00,37564100.00"), 19, "ring 2 comes next"),
    ("unclosed ring", edited(18, "J1,1,4835800.00,37564001.00"), 18, "is not closed"),
    ("count mismatch", edited(13, "11,,1,测试区块1,面,,采矿权,,@"), 13, "says 11 points"),
    ("bad record", edited(13, "10,,1,测试区块1,线,,采矿权,,@"), 13, "a boundary is 面"),
    ("short record", edited(13, "10,,1,测试区块1,面,@"), 13, "8 fields and @"),
    ("far away", edited(15, "J2,1,3835800.00,37564400.00"), 15, "near Erenhot"),
    ("mixed forms", edited(15, "J2,1,4835800.00,564400.00"), 15, "every Y carries"),
]


@pytest.mark.parametrize(("case", "text", "line", "why"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_each_refusal_names_the_line(rights, case, text, line, why):
    response = await parse(rights, text)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["line"] == line, problem
    [error] = problem["errors"]
    assert error["field"] == "body"
    assert error["message"].startswith(f"line {line}: "), error
    assert why in error["message"], error


async def test_too_few_points_and_a_self_intersecting_ring_are_refused(rights):
    x, y = 4_835_800.0, 37_564_000.0
    short = BASE.replace("10,,1,", "8,,1,").split("\r\n")
    # the hole keeps J5, J8 and the closing J5 only: three lines, two corners
    del short[19:21]
    response = await parse(rights, "\r\n".join(short))
    assert response.status_code == 422, response.text
    assert response.json()["line"] == 19
    assert "has 3 points" in response.text

    bow_tie = [(x, y), (x - 300, y + 300), (x, y + 300), (x - 300, y)]
    response = await parse(rights, corner_text([[bow_tie]]))
    assert response.status_code == 422, response.text
    assert response.json()["line"] == 13
    assert "self-intersect" in response.text.lower() or "not a valid" in response.text

    response = await parse(rights, "")
    assert response.status_code == 422 and response.json()["line"] == 1
    before = "\r\n".join([*BASE.split("\r\n")[:12], "J1,1,4835800.00,37564000.00"])
    response = await parse(rights, before)
    assert response.status_code == 422 and response.json()["line"] == 13
    assert "before any parcel record" in response.text


async def test_the_text_may_come_in_gb18030_and_must_be_text_plain(rights):
    response = await parse(rights, BASE.encode("gb18030"))
    assert response.status_code == 200, response.text
    assert response.json()["parcels"][0]["name"] == "测试区块1"
    assert (await parse(rights, BASE, content_type="application/json")).status_code == 415
    assert (await parse(rights, BASE, headers={})).status_code == 401


async def test_an_enterprise_reads_its_own_rights_corners_only(rights):
    owner, other = await holder(rights, 42), await holder(rights, 43)
    right = await add_right(rights, owner, at=BLANK)
    mine = rights.auth(Role.enterprise, holder_id=owner)
    theirs = rights.auth(Role.enterprise, holder_id=other)
    response = await corners_txt(rights, right["id"], CornerCrs.cm111, headers=mine)
    assert response.text.startswith("[属性描述]")
    gbk = await corners_txt(rights, right["id"], CornerCrs.zone37, encoding="gb18030")
    assert gbk.headers["content-type"] == "text/plain; charset=gb18030"
    assert "二连浩特市自然资源局".encode("gb18030") in gbk.content

    url = f"/rights/{right['id']}/corners.txt"
    assert (await rights.client.get(url, headers=theirs)).status_code == 404
    assert (await rights.client.get(url)).status_code == 401
    evaluator = rights.auth(Role.evaluator, org_id=str(uuid.uuid4()))
    assert (await rights.client.get(url, headers=evaluator)).status_code == 403
    missing = await rights.client.get(f"/rights/{uuid.uuid4()}/corners.txt", headers=mine)
    assert missing.status_code == 404
    bad = await rights.client.get(url, params={"crs": "EPSG:4326"}, headers=admin(rights))
    assert bad.status_code == 422 and "query.crs" in bad.text
    for role in (Role.inspector, Role.gov_system, Role.bureau_reviewer):
        assert (await rights.client.get(url, headers=rights.auth(role))).status_code == 200

    unplaced = await add_right(rights, owner, at=BLANK, boundary=None)
    nothing = await rights.client.get(f"/rights/{unplaced['id']}/corners.txt", headers=mine)
    assert nothing.status_code == 404
    assert "no boundary" in nothing.json()["detail"]


FILE_CHARACTERS = st.sampled_from(list("0123456789.,-+J@ =面圈带号[]属性描述地块坐标\t"))


@settings(max_examples=300, deadline=None)
@given(
    line=st.integers(min_value=1, max_value=24),
    new=st.text(FILE_CHARACTERS, max_size=40),
)
def test_any_edit_of_a_file_parses_or_is_refused_naming_a_line(line, new):
    """Never an error the route does not turn into a 422 (a 500): every edit of a good file
    either still describes a boundary or is refused at a line that exists."""
    text = edited(line, new)
    try:
        parsed = service.parse(text.encode())
    except Unprocessable as refused:
        assert 1 <= refused.extensions["line"] <= len(text.split("\r\n")) + 1
    else:
        assert parsed.boundary["type"] in ("Polygon", "MultiPolygon")
