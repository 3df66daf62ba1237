"""Enterprises see only their own funds and mines' objects; the public sees disclosures only."""

import uuid
from datetime import UTC, datetime

import pytest
from contracts.rights import RightTransferred

from tests.paging import once_each, walk
from tests.restoration_api.support import admin, deliver, enterprise, grant, granted, transfer
from tests.samples import forged_cursor


async def test_an_enterprise_sees_only_its_own_funds(restoration):
    mine = await grant(restoration)
    other = await grant(restoration)
    own = enterprise(restoration, mine["holder_id"])
    listed = await restoration.client.get("/funds", headers=own)
    assert [f["id"] for f in listed.json()["items"]] == [mine["id"]]
    filtered = await restoration.client.get(
        "/funds", params={"right_id": other["right_id"]}, headers=own
    )
    assert filtered.json()["items"] == []
    assert (await restoration.client.get(f"/funds/{mine['id']}", headers=own)).status_code == 200
    for path in ("", "/transfers", "/accruals"):
        foreign = await restoration.client.get(f"/funds/{other['id']}{path}", headers=own)
        assert foreign.status_code == 404, path
    verify = await restoration.client.get(f"/funds/{mine['id']}/verify", headers=own)
    assert verify.status_code == 403
    assert (await restoration.client.get("/ledger/audit", headers=own)).status_code == 403
    everyone = await restoration.client.get("/funds", headers=admin(restoration))
    assert len(everyone.json()["items"]) == 2


@pytest.mark.parametrize(
    "path", ["/funds", "/works", "/plans", "/obligations", "/rectifications", "/ledger/audit"]
)
async def test_no_token_no_data(restoration, path):
    response = await restoration.client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_enterprise_cannot_act_on_another_holders_mine(restoration):
    mine = await grant(restoration)
    other = await grant(restoration)
    own = enterprise(restoration, mine["holder_id"])
    plan = await restoration.client.post(
        "/plans",
        json={
            "right_id": other["right_id"],
            "kind": "protection_reclamation",
            "title": "x",
            "estimated_cost": "1.00",
            "area_ha": "1",
            "schedule": [{"year": 2026, "cost": "1.00", "area_ha": "1"}],
        },
        headers=own,
    )
    assert plan.status_code == 403
    land = await restoration.client.put(
        f"/land-balance/{other['right_id']}/2026",
        json={"occupied_ha": "1", "restored_ha": "1"},
        headers=own,
    )
    assert land.status_code == 403
    work = await restoration.client.post(
        "/works",
        json={"right_id": other["right_id"], "name": "x", "area_ha": "1",
              "estimated_cost": "1.00", "year": 2026},
        headers=own,
    )  # fmt: skip
    assert work.status_code == 403
    legacy = await restoration.client.get("/legacy-sites", headers=own)
    assert legacy.status_code == 403


async def test_the_fund_follows_the_right_to_its_new_holder(restoration):
    fund = await grant(restoration)
    await transfer(restoration, fund["id"], "deposit", "100.00")
    assert await restoration.runtime.run_job(
        "annual_obligations", now=datetime(2027, 1, 10, tzinfo=UTC)
    )
    new_holder = uuid.uuid4()
    await deliver(
        restoration,
        RightTransferred(
            right_id=fund["right_id"],
            licence_no="C1525012010057130066321",
            from_holder_id=fund["holder_id"],
            to_holder_id=new_holder,
            to_holder_name="内蒙古源庭矿业有限公司",
            transferred_at=datetime(2026, 5, 1, tzinfo=UTC),
        ),
    )
    old = await restoration.client.get(
        f"/funds/{fund['id']}", headers=enterprise(restoration, fund["holder_id"])
    )
    assert old.status_code == 404
    new = await restoration.client.get(
        f"/funds/{fund['id']}", headers=enterprise(restoration, new_holder)
    )
    assert new.status_code == 200
    assert new.json()["balances"]["available"] == "100.00"
    owed = await restoration.client.get("/obligations", headers=enterprise(restoration, new_holder))
    assert len(owed.json()["items"]) == 2  # the open annual duties passed to the new holder


async def test_a_bad_token_is_refused_not_read_as_public(restoration):
    response = await restoration.client.get(
        "/disclosures/00000000-0000-0000-0000-000000000000",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401


async def test_lists_page_with_a_cursor_and_refuse_a_forged_one(restoration):
    fund = await grant(restoration)
    for n in range(3):
        await restoration.client.post(
            "/works",
            json={"right_id": fund["right_id"], "name": f"治理工程{n}", "area_ha": "1",
                  "estimated_cost": "1.00", "year": 2026},
            headers=admin(restoration),
        )  # fmt: skip
    first = (await restoration.client.get("/works?limit=2", headers=admin(restoration))).json()
    assert [w["name"] for w in first["items"]] == ["治理工程0", "治理工程1"]
    rest = await restoration.client.get(
        "/works", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin(restoration)
    )
    assert [w["name"] for w in rest.json()["items"]] == ["治理工程2"]
    assert rest.json()["next_cursor"] is None
    walked = await walk(restoration.client, "/works", headers=admin(restoration), limit=2)
    assert len(once_each(walked)) == 3
    # a cursor of another list (a date where a timestamp was) or garbage: 422, never a 500
    for cursor in (forged_cursor(["x", "y"]), forged_cursor([1]), "!!"):
        forged = await restoration.client.get(
            "/works", params={"cursor": cursor}, headers=admin(restoration)
        )
        assert forged.status_code == 422, cursor
        assert forged.json()["errors"][0]["field"] == "query.cursor"


async def test_an_old_grant_replayed_after_a_transfer_does_not_undo_it(restoration):
    payload = granted()
    await deliver(restoration, payload)
    new_holder = uuid.uuid4()
    await deliver(
        restoration,
        RightTransferred(
            right_id=payload.right_id,
            licence_no=payload.licence_no,
            from_holder_id=payload.holder_id,
            to_holder_id=new_holder,
            transferred_at=datetime(2026, 5, 1, tzinfo=UTC),
        ),
    )
    await deliver(restoration, payload.model_copy())  # same grant, new envelope (a re-publish)
    [fund] = (
        await restoration.client.get(
            "/funds", params={"right_id": str(payload.right_id)}, headers=admin(restoration)
        )
    ).json()["items"]
    assert fund["holder_id"] == str(new_holder)
    # the projection still names the new holder: they report the mine's land
    land = await restoration.client.put(
        f"/land-balance/{payload.right_id}/2026",
        json={"occupied_ha": "1", "restored_ha": "1"},
        headers=enterprise(restoration, new_holder),
    )
    assert land.status_code == 200, land.text
