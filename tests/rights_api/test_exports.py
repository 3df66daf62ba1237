"""The planning database export (第七章四): GeoPackage and zipped Shapefiles, opened by pyogrio
(GDAL) and by GDAL's own ogrinfo, in CGCS2000 and the two Gauss-Krüger forms."""

import io
import sqlite3
import zipfile

import pyogrio
import pytest
from servicekit.auth import Role

from tests.rights_api.spatial_support import (
    COUNTS,
    rights_with_restoration,
    run_ogrinfo,
    spatial_world,
    world_running,
)


@pytest.fixture
async def world_service(databases, tmp_path):
    async with world_running(databases, tmp_path) as running:
        yield running


async def _download(service, edition, suffix, tmp_path, role=None, **params):
    headers = service.auth(role, **params.pop("claims", {})) if role else {}
    response = await service.client.get(
        f"/plan-editions/{edition}/export.{suffix}", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    path = tmp_path / f"export-{role}-{params.get('crs', '4490').replace(':', '')}.{suffix}"
    path.write_bytes(response.content)
    return response, path


async def test_the_geopackage_has_every_layer_with_its_features(world_service, tmp_path):
    service, world = world_service
    edition = world.edition_id
    response, path = await _download(service, edition, "gpkg", tmp_path, Role.gov_system)
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert ".gpkg" in response.headers["content-disposition"]
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert set(layers) == {*COUNTS, "layer_fields"}
    for name, count in COUNTS.items():
        info = pyogrio.read_info(path, layer=name)
        assert info["features"] == count, name
        assert info["crs"] == "EPSG:4490"
        assert info["geometry_type"] == "MultiPolygon"
    meta, _, _, columns = pyogrio.raw.read(path, layer="rights")
    names = list(meta["fields"])
    assert "holder_name" in names and "licence_no" in names and "valid_to" in names
    holders = set(columns[names.index("holder_name")])
    assert holders == {"二连浩特市先锋水泥制品有限公司", "内蒙古源庭矿业有限公司"}
    assert "二连浩特市乌希根楚二号建筑用花岗岩矿" in set(columns[names.index("mine_name")])
    # lon/lat inside the city's extent (第一章第一节)
    bounds = pyogrio.read_info(path, layer="zones")["total_bounds"]
    assert 111.3 < bounds[0] < bounds[2] < 112.5 and 42.9 < bounds[1] < bounds[3] < 43.8
    with sqlite3.connect(path) as database:  # GeoPackage 1.2: 'GPKG', user_version 10200
        assert database.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert database.execute("PRAGMA user_version").fetchone()[0] == 10200
    mapping = pyogrio.raw.read(path, layer="layer_fields")
    rows = list(zip(*mapping[3], strict=True))
    assert ("zones", "集中开采区", "code", "GHQBH", "规划区编号", "zone code", "text") in rows


async def test_ogrinfo_reads_the_geopackage(world_service, tmp_path):
    service, world = world_service
    edition = world.edition_id
    _, path = await _download(service, edition, "gpkg", tmp_path, Role.bureau_admin)
    listing = await run_ogrinfo("-ro", "-so", "-al", str(path))
    for name in COUNTS:
        assert f"Layer name: {name}\n" in listing
    counts = [line for line in listing.splitlines() if line.startswith("Feature Count:")]
    expected = [*COUNTS.values(), len(_mapping_rows())]
    assert sorted(int(c.split(":")[1]) for c in counts) == sorted(expected)
    assert 'GEOGCRS["China Geodetic Coordinate System 2000"' in listing
    where = "mine_name = '二连浩特市乌希根楚二号建筑用花岗岩矿'"
    one = await run_ogrinfo("-ro", str(path), "rights", "-where", where)
    assert "holder_name (String) = 二连浩特市先锋水泥制品有限公司" in one
    assert "MULTIPOLYGON" in one


def _mapping_rows() -> list:
    from rights_api.layers.catalogue import LAYERS

    return [f for layer in LAYERS.values() for f in layer.fields]


@pytest.mark.parametrize(
    ("crs", "eastings"),
    [("EPSG:4546", (200_000, 800_000)), ("EPSG:4525", (37_200_000, 37_800_000))],
)
async def test_gauss_kruger_on_request(world_service, tmp_path, crs, eastings):
    service, world = world_service
    edition = world.edition_id
    _, path = await _download(service, edition, "gpkg", tmp_path, Role.bureau_admin, crs=crs)
    info = pyogrio.read_info(path, layer="rights")
    assert info["crs"] == crs
    min_x, min_y, max_x, max_y = info["total_bounds"]
    assert eastings[0] < min_x < max_x < eastings[1]  # x is the easting in the file
    assert 4_700_000 < min_y < max_y < 4_900_000  # y the northing, ~43.5°N


async def test_the_public_export_has_no_holders_and_an_enterprise_sees_its_own(
    world_service, tmp_path
):
    service, world = world_service
    edition = world.edition_id
    _, public = await _download(service, edition, "gpkg", tmp_path)
    meta = pyogrio.read_info(public, layer="rights")
    assert meta["features"] == 3
    assert not {"holder_name", "holder_id", "licence_no", "valid_to"} & set(meta["fields"])
    assert {"mine_name", "status", "mineral"} <= set(meta["fields"])
    _, own = await _download(
        service, edition, "gpkg", tmp_path, Role.enterprise, claims={"holder_id": world.holder_a}
    )
    read = pyogrio.raw.read(own, layer="rights")
    names = list(read[0]["fields"])
    holders = list(read[3][names.index("holder_name")])
    assert sorted(h or "" for h in holders) == [
        "",
        "二连浩特市先锋水泥制品有限公司",
        "二连浩特市先锋水泥制品有限公司",
    ]


async def test_the_shapefile_zip(world_service, tmp_path):
    service, world = world_service
    edition = world.edition_id
    response, path = await _download(service, edition, "shp.zip", tmp_path, Role.bureau_admin)
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    folder = names[0].split("/")[0]
    for layer in COUNTS:
        for part in ("shp", "shx", "dbf", "prj", "cpg"):
            assert f"{folder}/{layer}.{part}" in names, (layer, part)
        assert archive.read(f"{folder}/{layer}.cpg").decode().strip() == "UTF-8"
        info = pyogrio.read_info(f"/vsizip/{path}/{folder}/{layer}.shp")
        assert info["features"] == COUNTS[layer]
        assert all(len(name) <= 10 for name in info["fields"])
    assert "CGCS2000" in archive.read(f"{folder}/rights.prj").decode()
    rights = pyogrio.raw.read(f"/vsizip/{path}/{folder}/rights.shp")
    fields = list(rights[0]["fields"])
    assert {"XKZH", "KSMC", "KQR", "YXQZ"} <= set(fields)
    assert "二连浩特市乌希根楚二号建筑用花岗岩矿" in set(rights[3][fields.index("KSMC")])
    csv = archive.read(f"{folder}/layer_fields.csv").decode("utf-8-sig")
    assert "zones,集中开采区,code,GHQBH,规划区编号,zone code,text" in csv


async def test_a_choice_of_layers(world_service, tmp_path):
    service, world = world_service
    edition = world.edition_id
    _, path = await _download(
        service, edition, "gpkg", tmp_path, Role.bureau_admin, layers="zones,rights"
    )
    assert {name for name, _ in pyogrio.list_layers(path)} == {"zones", "rights", "layer_fields"}
    unknown = await service.client.get(
        f"/plan-editions/{edition}/export.gpkg", params={"layers": "zones,wells"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.layers"


async def test_refusals(world_service, tmp_path):
    service, world = world_service
    edition = world.edition_id
    bad = await service.client.get(
        f"/plan-editions/{edition}/export.gpkg", params={"crs": "EPSG:3857"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.crs"
    missing = await service.client.get(
        "/plan-editions/00000000-0000-4000-8000-000000000000/export.shp.zip"
    )
    assert missing.status_code == 404


async def test_restoration_api_down_fails_the_export_naming_it(databases, tmp_path):
    async with rights_with_restoration(
        databases, tmp_path, peers={"restoration": "http://127.0.0.1:9"}
    ) as service:
        await spatial_world(service)
        edition = (await service.client.get("/plan-editions/current")).json()["id"]
        response = await service.client.get(
            f"/plan-editions/{edition}/export.gpkg", headers=service.auth(Role.bureau_admin)
        )
    assert response.status_code == 502
    assert response.json()["service"] == "restoration"
