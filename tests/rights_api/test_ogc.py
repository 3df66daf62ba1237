"""OGC API Features over the layer catalogue: the documents, paging, filters, CRS, refusals
(400 problems), who sees what, and GDAL's OAPIF driver (ogrinfo) reading it over real HTTP."""

import pytest
from servicekit.auth import Role

from tests.notifier.support import serving
from tests.rights_api.spatial_support import COUNTS as LAYERS
from tests.rights_api.spatial_support import run_ogrinfo, world_running

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@pytest.fixture
async def world_service(databases, tmp_path):
    async with world_running(databases, tmp_path) as running:
        yield running


async def _items(service, layer, headers=None, **params):
    response = await service.client.get(
        f"/ogc/collections/{layer}/items", params=params, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    return response


async def test_landing_conformance_definition_and_collections(world_service):
    service, _ = world_service
    landing = (await service.client.get("/ogc")).json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["data"] == "http://testserver/ogc/collections"
    conformance = (await service.client.get("/ogc/conformance")).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    api = await service.client.get("/ogc/api")
    assert api.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    definition = api.json()
    assert definition["openapi"] == "3.0.3"
    assert "/collections/rights/items" in definition["paths"]
    limit = definition["components"]["parameters"]["limit"]
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}
    listed = (await service.client.get("/ogc/collections")).json()["collections"]
    assert [c["id"] for c in listed] == list(LAYERS)
    zones = (await service.client.get("/ogc/collections/zones")).json()
    assert zones["title"] == "集中开采区 Concentrated mining zones"
    assert zones["extent"]["temporal"]["interval"] == [["2021-01-01", "2025-12-31"]]
    assert CRS84 in zones["crs"] and f"{EPSG}4546" in zones["crs"]
    assert zones["storageCrs"] == f"{EPSG}4490"


async def test_every_collection_counts_its_features(world_service):
    service, _ = world_service
    for layer, count in LAYERS.items():
        body = (await _items(service, layer, limit=100)).json()
        assert body["numberMatched"] == count == body["numberReturned"], layer
        assert len({f["id"] for f in body["features"]}) == count


async def test_paging_with_next_and_prev_links(world_service):
    service, _ = world_service
    first = (await _items(service, "planned_blocks", limit=2)).json()
    assert [f["id"] for f in first["features"]] == ["KQ-01", "KQ-02"]
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    assert (
        links["next"] == "http://testserver/ogc/collections/planned_blocks/items?limit=2&offset=2"
    )
    second = (await service.client.get(links["next"])).json()
    assert [f["id"] for f in second["features"]] == ["KQ-03", "KQ-04"]
    assert {link["rel"] for link in second["links"]} >= {"next", "prev", "self"}
    last = (await _items(service, "planned_blocks", limit=2, offset=4)).json()
    assert last["numberReturned"] == 1 and last["numberMatched"] == 5
    assert "next" not in {link["rel"] for link in last["links"]}
    clamped = (await _items(service, "zones", limit=5000)).json()
    assert clamped["numberReturned"] == 4


async def test_the_public_sees_less_than_officials_and_an_enterprise_its_own(world_service):
    service, world = world_service
    public = (await _items(service, "rights")).json()["features"]
    assert all("holder_name" not in f["properties"] for f in public)
    assert all("licence_no" not in f["properties"] for f in public)
    assert {f["properties"]["mine_name"] for f in public} >= {
        "二连浩特市乌希根楚二号建筑用花岗岩矿"
    }
    staff = (await _items(service, "rights", service.auth(Role.inspector))).json()["features"]
    assert {f["properties"]["holder_name"] for f in staff} == {
        "二连浩特市先锋水泥制品有限公司",
        "内蒙古源庭矿业有限公司",
    }
    own = service.auth(Role.enterprise, holder_id=world.holder_a)
    seen = (await _items(service, "rights", own)).json()["features"]
    full = {f["id"] for f in seen if "holder_name" in f["properties"]}
    assert full == {r["id"] for r in world.rights_a}
    # the public may not filter by what it cannot see
    hidden = await service.client.get(
        "/ogc/collections/rights/items", params={"holder_name": "内蒙古源庭矿业有限公司"}
    )
    assert hidden.status_code == 400
    assert hidden.json()["errors"][0]["field"] == "query.holder_name"
    areas = (await _items(service, "restoration_areas")).json()["features"]
    assert "right_id" not in areas[0]["properties"]


async def test_filters_bbox_datetime_and_properties(world_service):
    service, world = world_service
    around = ",".join(str(v) for v in (111.675, 43.525, 111.685, 43.535))
    inside = (await _items(service, "rights", bbox=around)).json()
    assert [f["id"] for f in inside["features"]] == [world.rights_a[0]["id"]]
    # the same box given in EPSG:4490 (latitude first)
    lat_first = ",".join(str(v) for v in (43.525, 111.675, 43.535, 111.685))
    same = (await _items(service, "rights", bbox=lat_first, **{"bbox-crs": f"{EPSG}4490"})).json()
    assert [f["id"] for f in same["features"]] == [world.rights_a[0]["id"]]
    suspended = (await _items(service, "rights", status="suspended")).json()
    assert [f["id"] for f in suspended["features"]] == [world.rights_a[1]["id"]]
    sand = (await _items(service, "zones", minerals="construction_sand")).json()
    assert [f["id"] for f in sand["features"]] == ["SCJ002", "SCJ003"]
    assert (await _items(service, "zones", datetime="2024-06-01")).json()["numberMatched"] == 4
    later = (await _items(service, "zones", datetime="2026-01-01T00:00:00Z/..")).json()
    assert later["numberMatched"] == 0
    # rights valid 2019-01-01..2029-12-31
    assert (await _items(service, "rights", datetime="../2018-12-31")).json()["numberMatched"] == 0
    assert (await _items(service, "rights", datetime="2020-01-01/2020-02-01")).json()[
        "numberMatched"
    ] == 3
    accepted = (await _items(service, "legacy_sites", datetime="2024-01-01/2024-12-31")).json()
    assert [f["properties"]["code"] for f in accepted["features"]] == ["LS-01"]


async def test_crs_by_reference_in_each_axis_order(world_service):
    service, world = world_service
    right = world.rights_a[0]["id"]
    lonlat = (await service.client.get(f"/ogc/collections/rights/items/{right}")).json()
    lon, lat = lonlat["geometry"]["coordinates"][0][0]
    assert 111 < lon < 112 and 43 < lat < 44
    answer = await service.client.get(
        f"/ogc/collections/rights/items/{right}", params={"crs": f"{EPSG}4490"}
    )
    assert answer.headers["content-crs"] == f"<{EPSG}4490>"
    assert answer.json()["geometry"]["coordinates"][0][0] == pytest.approx([lat, lon])
    for code, eastings in (("4546", (200_000, 800_000)), ("4525", (37_200_000, 37_800_000))):
        projected = await _items(service, "rights", crs=f"{EPSG}{code}", status="producing")
        assert projected.headers["content-crs"] == f"<{EPSG}{code}>"
        north, east = projected.json()["features"][0]["geometry"]["coordinates"][0][0]
        assert 4_700_000 < north < 4_900_000 and eastings[0] < east < eastings[1]
    curie = await _items(service, "zones", crs="[EPSG:4546]", limit=1)
    assert curie.headers["content-crs"] == f"<{EPSG}4546>"
    zone = (await service.client.get("/ogc/collections/zones/items/SCJ001")).json()
    assert zone["properties"]["name_zh"] == "乌希根楚建筑用花岗岩矿集中开采区"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"bbox": "111,43,112"}, "bbox"),
        ({"bbox": "112,43,111,44"}, "bbox"),
        ({"bbox": "111,43,112,NaN"}, "bbox"),
        ({"bbox": "111,-95,112,44"}, "bbox"),
        ({"crs": "EPSG:3857"}, "crs"),
        ({"bbox": "1,2,3,4", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "bbox-crs"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"datetime": "2025-01-01T00:00:00"}, "datetime"),
        ({"datetime": "2025-01-01/2024-01-01"}, "datetime"),
        ({"datetime": "../.."}, "datetime"),
        ({"colour": "red"}, "colour"),
        ({"f": "html"}, "f"),
    ],
)
async def test_bad_parameters_are_400_problems(world_service, params, field):
    service, _ = world_service
    response = await service.client.get("/ogc/collections/zones/items", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == f"query.{field}"


async def test_unknown_collections_and_features_are_404(world_service):
    service, _ = world_service
    assert (await service.client.get("/ogc/collections/wells")).status_code == 404
    assert (await service.client.get("/ogc/collections/wells/items")).status_code == 404
    for fid in ("SCJ999", "not-a-uuid"):
        missing = await service.client.get(f"/ogc/collections/zones/items/{fid}")
        assert missing.status_code == 404
    nobody = "/ogc/collections/rights/items/00000000-0000-4000-8000-000000000000"
    assert (await service.client.get(nobody)).status_code == 404
    wrong = await service.client.get("/ogc/collections/zones/items/SCJ001", params={"limit": 1})
    assert wrong.status_code == 400


async def test_gdal_reads_the_collections(world_service):
    """GDAL's OAPIF driver, a client nobody here wrote, against the service on a real port."""
    service, _ = world_service
    async with serving(service.app) as base:
        listing = await run_ogrinfo("-ro", "-so", f"OAPIF:{base}/ogc")
        for layer in LAYERS:
            assert f": {layer} " in listing or f": {layer}\n" in listing, listing
        for layer, count in LAYERS.items():
            summary = await run_ogrinfo("-ro", "-so", f"OAPIF:{base}/ogc", layer)
            assert f"Feature Count: {count}\n" in summary, summary
        rights = await run_ogrinfo("-ro", f"OAPIF:{base}/ogc", "rights")
        assert rights.count("OGRFeature(rights)") == 3
        assert "mine_name (String) = 二连浩特市乌希根楚二号建筑用花岗岩矿" in rights
        assert "holder_name" not in rights
        token = service.auth(Role.gov_system)["Authorization"]
        staff = await run_ogrinfo(
            "--config",
            "GDAL_HTTP_HEADERS",
            f"Authorization: {token}",
            "-ro",
            f"OAPIF:{base}/ogc",
            "rights",
        )
        assert "holder_name (String) = 内蒙古源庭矿业有限公司" in staff


async def test_every_property_filter_answers_and_finds_its_feature(world_service):
    """For each collection and each property an official may filter by: the value of a feature
    finds that feature, and a value no property has (text, a number out of range, a bad date or
    UUID) finds nothing, never an error."""
    service, _ = world_service
    staff = service.auth(Role.bureau_admin)
    for layer in LAYERS:
        features = (await _items(service, layer, staff, limit=100)).json()["features"]
        for key, value in features[0]["properties"].items():
            if value is None:
                continue
            wanted = str(value).lower() if isinstance(value, bool) else str(value)
            wanted = wanted.split(",")[0]
            found = (await _items(service, layer, staff, limit=100, **{key: wanted})).json()
            assert features[0]["id"] in {f["id"] for f in found["features"]}, (layer, key)
            for nothing in ("无此值", "1e999999", "9999-99-99", "NaN"):
                none = (await _items(service, layer, staff, **{key: nothing})).json()
                assert none["numberMatched"] == 0 or key in ("geo_code",), (layer, key, nothing)


def test_every_field_of_the_rights_layer_has_its_column():
    """A field added to the catalogue's rights layer without a column to filter it by would be
    an error on the first filter: each has one (or a rule of its own)."""
    from rights_api.layers.catalogue import RIGHTS
    from rights_api.layers.sources import RIGHT_COLUMNS

    computed = {"geo_code", "mineral_zh"}
    assert {f.key for f in RIGHTS.fields} == set(RIGHT_COLUMNS) | computed
