"""A passed acceptance on a legacy site publishes restoration.legacy_site.accepted (rights-api's
named deadline counts the area against 专栏二's 0.52 km²); a failed one publishes nothing."""

from restoration_api.seed import seed

from tests.restoration_api.support import admin, sql

EVENT = "restoration.legacy_site.accepted"


async def test_a_passed_legacy_acceptance_is_published_once_a_failed_one_not(restoration):
    async with restoration.runtime.db.transaction() as session:
        await seed(session)
    sites = (await restoration.client.get("/legacy-sites", headers=admin(restoration))).json()
    yanchi = next(s for s in sites["items"] if s["code"] == "LS-YANCHI")
    failed = await restoration.client.post(
        "/acceptances",
        json={"legacy_site_id": yanchi["id"], "passed": False, "reasons": ["覆土厚度不足"],
              "accepted_area_ha": "0", "inspected_on": "2024-08-30"},
        headers=admin(restoration),
    )  # fmt: skip
    assert failed.status_code == 201, failed.text
    assert await sql(restoration, f"SELECT count(*) FROM outbox WHERE type = '{EVENT}'") == [(0,)]
    passed = await restoration.client.post(
        "/acceptances",
        json={"legacy_site_id": yanchi["id"], "passed": True, "accepted_area_ha": "52",
              "inspected_on": "2024-09-30"},
        headers=admin(restoration),
    )  # fmt: skip
    assert passed.status_code == 201, passed.text
    [(data,)] = await sql(
        restoration,
        f"SELECT convert_from(value, 'UTF8')::jsonb FROM outbox WHERE type = '{EVENT}'",
    )
    assert data["legacy_site_id"] == yanchi["id"]
    assert data["site_name"] == "盐池废弃采区"
    assert data["acceptance_id"] == passed.json()["id"]
    assert data["accepted_on"] == "2024-09-30"
    assert float(data["accepted_area_ha"]) == 52
