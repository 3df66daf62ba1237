"""GET /evaluation-figures: the restoration indicators as of a day, with the acceptances and land
balances behind them (the schema of contracts.figures, read by rights-api's evaluation)."""

from decimal import Decimal

from restoration_api.seed import seed
from servicekit.auth import Role

from tests.restoration_api.support import admin, grant


async def test_figures_count_the_period_up_to_the_day_asked(restoration):
    async with restoration.runtime.db.transaction() as session:
        await seed(session)
    sites = (await restoration.client.get("/legacy-sites", headers=admin(restoration))).json()
    [before, during] = sorted(sites["items"], key=lambda s: s["code"])[:2]
    for site, day in ((before, "2020-12-01"), (during, "2023-05-20")):
        body = {"legacy_site_id": site["id"], "passed": True, "accepted_area_ha": "10",
                "inspected_on": day}  # fmt: skip
        created = await restoration.client.post(
            "/acceptances", json=body, headers=admin(restoration)
        )
        assert created.status_code == 201, created.text
    mine = await grant(restoration)
    await restoration.client.put(
        f"/land-balance/{mine['right_id']}/2024",
        json={"occupied_ha": "4", "restored_ha": "3"},
        headers=admin(restoration),
    )

    async def figures(as_of: str, role: Role = Role.gov_system):
        return await restoration.client.get(
            "/evaluation-figures",
            params={"edition": "2021-2025", "as_of": as_of},
            headers=restoration.auth(role),
        )

    response = await figures("2023-12-31")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["service"], body["edition"], body["as_of"]) == (
        "restoration",
        "2021-2025",
        "2023-12-31",
    )
    found = {f["code"]: f for f in body["figures"]}
    legacy = found["legacy_restored_km2"]
    # the site accepted in 2020, before the period, does not count
    assert Decimal(legacy["actual"]) == Decimal("0.1")
    assert (legacy["target"], legacy["binding"], legacy["direction"]) == (
        "0.5200",
        True,
        "at_least",
    )
    assert [(r["code"], r["on"]) for r in legacy["records"]] == [(during["code"], "2023-05-20")]
    assert found["restoration_rate_pct"]["actual"] is None  # no balance reported by 2023
    later = {f["code"]: f for f in (await figures("2024-12-31")).json()["figures"]}
    assert later["restoration_rate_pct"]["actual"] == "75.00"
    assert [r["name"] for r in later["restoration_rate_pct"]["records"]] == [
        "二连浩特市乌希根楚二号建筑用花岗岩矿"
    ]
    early = {f["code"]: f for f in (await figures("2022-12-31")).json()["figures"]}
    assert (
        early["legacy_restored_km2"]["actual"] == "0"
        and early["legacy_restored_km2"]["records"] == []
    )

    assert (await figures("2023-12-31", Role.bureau_reviewer)).status_code == 200
    enterprise = restoration.auth(Role.enterprise, holder_id=mine["holder_id"])
    refused = await restoration.client.get(
        "/evaluation-figures",
        params={"edition": "2021-2025", "as_of": "2023-12-31"},
        headers=enterprise,
    )
    assert refused.status_code == 403
    missing = await restoration.client.get(
        "/evaluation-figures", params={"edition": "2021-2025"}, headers=admin(restoration)
    )
    assert missing.status_code == 422 and "query.as_of" in missing.text
    unknown = await restoration.client.get(
        "/evaluation-figures", params={"edition": "2031-2035", "as_of": "2031-12-31"},
        headers=admin(restoration),
    )  # fmt: skip
    assert unknown.status_code == 404
