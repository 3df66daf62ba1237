"""The restoration layers read from the real restoration-api (part E's GeoJSON contract), served
on a real port: the OGC collections, GDAL's OAPIF driver and the GeoPackage all show its
seeded legacy sites."""

import pyogrio
from restoration_api.seed import seed
from servicekit.auth import Role

from tests.notifier.support import serving
from tests.rights_api.operations_support import rights_service
from tests.rights_api.spatial_support import run_ogrinfo, spatial_world


async def test_the_legacy_sites_of_restoration_api(databases, restoration, tmp_path):
    async with restoration.runtime.db.transaction() as session:
        await seed(session)
    own = (await restoration.client.get("/legacy-sites.geojson")).json()["features"]
    assert len(own) == 4
    async with serving(restoration.app) as restoration_url:
        async with rights_service(
            databases,
            tmp_path / "attachments",
            peers={"restoration": restoration_url},
            rate_limit_anonymous_reads="10000/minute",
        ) as rights:
            await spatial_world(rights)
            items = await rights.client.get("/ogc/collections/legacy_sites/items")
            assert items.status_code == 200, items.text
            body = items.json()
            assert body["numberMatched"] == 4
            assert {f["id"] for f in body["features"]} == {f["id"] for f in own}
            codes = {f["properties"]["code"] for f in body["features"]}
            assert "LS-YANCHI" in codes
            yanchi = next(f for f in own if f["properties"]["code"] == "LS-YANCHI")
            one = await rights.client.get(f"/ogc/collections/legacy_sites/items/{yanchi['id']}")
            assert one.json()["properties"]["name"] == yanchi["properties"]["name"]
            areas = await rights.client.get("/ogc/collections/restoration_areas/items")
            assert areas.status_code == 200, areas.text

            edition = (await rights.client.get("/plan-editions/current")).json()["id"]
            export = await rights.client.get(
                f"/plan-editions/{edition}/export.gpkg", headers=rights.auth(Role.gov_system)
            )
            assert export.status_code == 200, export.text
            path = tmp_path / "planning.gpkg"
            path.write_bytes(export.content)
            assert pyogrio.read_info(path, layer="legacy_sites")["features"] == 4

            async with serving(rights.app) as base:
                summary = await run_ogrinfo("-ro", "-so", f"OAPIF:{base}/ogc", "legacy_sites")
                assert "Feature Count: 4\n" in summary, summary
