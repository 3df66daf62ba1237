"""The collections that answered a bare list page like every other: walked two at a time, each
row comes exactly once."""

from tests.paging import once_each, walk
from tests.restoration_api.support import RULES_2026, admin, closure_filed, deliver, grant

PLAN = {
    "kind": "protection_reclamation",
    "estimated_cost": "90000.00",
    "area_ha": "3.86",
    "schedule": [{"year": 2026, "cost": "90000.00", "area_ha": "3.86"}],
}


async def test_each_newly_paged_collection_walks_every_row_once(restoration):
    staff = admin(restoration)
    funds = [await grant(restoration) for _ in range(3)]
    fund = funds[0]
    for f in funds:
        await deliver(restoration, closure_filed(f["right_id"], f["holder_id"]))
    for n in range(3):
        plan = {**PLAN, "right_id": fund["right_id"], "title": f"方案{n}"}
        created = await restoration.client.post("/plans", json=plan, headers=staff)
        assert created.status_code == 201, created.text
        site = {"code": f"LS-{n}", "name": f"废弃采坑{n}", "edition": "2021-2025"}
        created = await restoration.client.post("/legacy-sites", json=site, headers=staff)
        assert created.status_code == 201, created.text
        year = 2026 + n
        rules = {
            **RULES_2026,
            "code": f"nmg-{year}",
            "effective_from": f"{year}-01-01",
            "effective_to": f"{year}-12-31",
        }
        created = await restoration.client.post("/accrual-rule-sets", json=rules, headers=staff)
        assert created.status_code == 201, created.text
        accrual = {"year": year, "output": "6", "land_type": "grassland", "region": "erenhot"}
        created = await restoration.client.post(
            f"/funds/{fund['id']}/accruals", json=accrual, headers=staff
        )
        assert created.status_code == 201, created.text

    for path in (
        "/closure-cases",
        "/plans",
        "/legacy-sites",
        "/accrual-rule-sets",
        f"/funds/{fund['id']}/accruals",
    ):
        walked = await walk(restoration.client, path, headers=staff, limit=2)
        assert len(once_each(walked)) == 3, path
