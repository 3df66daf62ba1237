"""Dynamic balance and 应治尽治率 per mine and year; legacy sites and the edition's indicators
against the targets loaded as data (专栏二); the seed hook."""

from restoration_api.seed import seed

from tests.restoration_api.support import admin, enterprise, grant, sql


async def test_land_balance_gives_the_dynamic_balance_and_the_restoration_rate(restoration):
    a = await grant(restoration)
    b = await grant(restoration, mine_name="二连浩特市乌希根楚三号建筑用花岗岩矿")
    first = await restoration.client.put(
        f"/land-balance/{a['right_id']}/2026",
        json={"occupied_ha": "2", "restored_ha": "2"},
        headers=enterprise(restoration, a["holder_id"]),
    )
    assert first.status_code == 200, first.text
    assert first.json()["balanced"] is True
    assert first.json()["restoration_rate"] == "100.00"
    await restoration.client.put(
        f"/land-balance/{b['right_id']}/2026",
        json={"occupied_ha": "2", "restored_ha": "1"},
        headers=admin(restoration),
    )
    year = (await restoration.client.get("/land-balance/2026", headers=admin(restoration))).json()
    assert year["occupied_ha"] == "4.0000"
    assert year["restored_ha"] == "3.0000"
    assert year["restoration_rate"] == "75.00"
    unbalanced = [m for m in year["mines"] if not m["balanced"]]
    assert [m["right_id"] for m in unbalanced] == [b["right_id"]]
    own = await restoration.client.get(
        "/land-balance/2026", headers=enterprise(restoration, a["holder_id"])
    )
    assert [m["right_id"] for m in own.json()["mines"]] == [a["right_id"]]


async def test_the_seed_loads_the_edition_once_and_indicators_follow_acceptances(restoration):
    async with restoration.runtime.db.transaction() as session:
        await seed(session)
    async with restoration.runtime.db.transaction() as session:
        await seed(session)  # idempotent
    assert await sql(restoration, "SELECT count(*) FROM legacy_sites") == [(4,)]
    assert await sql(restoration, "SELECT count(*) FROM funds WHERE kind = 'program'") == [(2,)]
    [rules] = (
        await restoration.client.get("/accrual-rule-sets", headers=admin(restoration))
    ).json()["items"]
    assert rules["illustrative"] is True
    assert "ILLUSTRATIVE" in rules["source"]
    sites = (await restoration.client.get("/legacy-sites", headers=admin(restoration))).json()[
        "items"
    ]
    assert "盐池废弃采区" in {s["name"] for s in sites}
    assert "208国道23公里处废弃砂场" in {s["name"] for s in sites}

    indicators = (
        await restoration.client.get("/indicators/2021-2025", headers=admin(restoration))
    ).json()
    targets = {i["indicator"]: i for i in indicators["indicators"]}
    assert targets["legacy_restored_km2"]["target"] == "0.5200"
    assert targets["land_reclaimed_ha"]["target"] == "46.0000"
    assert targets["restoration_rate_pct"]["target"] == "100.0000"
    assert targets["legacy_restored_km2"]["met"] is False

    yanchi = next(s for s in sites if s["code"] == "LS-YANCHI")
    accepted = await restoration.client.post(
        "/acceptances",
        json={"legacy_site_id": yanchi["id"], "passed": True, "accepted_area_ha": "52",
              "inspected_on": "2024-09-30"},
        headers=admin(restoration),
    )  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    mine = await grant(restoration)
    await restoration.client.post(
        "/acceptances",
        json={"right_id": mine["right_id"], "passed": True, "accepted_area_ha": "20",
              "inspected_on": "2025-06-30"},
        headers=admin(restoration),
    )  # fmt: skip
    await restoration.client.put(
        f"/land-balance/{mine['right_id']}/2025",
        json={"occupied_ha": "20", "restored_ha": "20"},
        headers=admin(restoration),
    )
    after = (
        await restoration.client.get("/indicators/2021-2025", headers=admin(restoration))
    ).json()
    values = {i["indicator"]: i for i in after["indicators"]}
    assert values["legacy_restored_km2"]["actual"] == "0.5200"
    assert values["legacy_restored_km2"]["met"] is True
    assert values["land_reclaimed_ha"]["actual"] == "20.0000"
    assert values["land_reclaimed_ha"]["met"] is False
    assert values["restoration_rate_pct"]["actual"] == "100.00"

    # a next edition is data, not code
    loaded = await restoration.client.put(
        "/plan-targets/2026-2030",
        json={"period_from": 2026, "period_to": 2030, "targets": [
            {"indicator": "land_reclaimed_ha", "value": "60", "unit": "ha", "binding": True,
             "clause": "专栏二", "name_zh": "矿山土地复垦面积"}]},
        headers=admin(restoration),
    )  # fmt: skip
    assert loaded.status_code == 204
    nxt = (await restoration.client.get("/indicators/2026-2030", headers=admin(restoration))).json()
    assert [i["target"] for i in nxt["indicators"]] == ["60.0000"]
    missing = await restoration.client.get("/indicators/2031-2035", headers=admin(restoration))
    assert missing.status_code == 404
