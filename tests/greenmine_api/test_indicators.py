"""The seed lists the PetroChina oilfield (a green mine since 2021-03-28, 专栏一) once rights-api
announces it, whichever comes first; GET /indicators counts the list against the edition's
target (4 for 2021-2025) and names the new mines still obliged to reach the standard."""

from greenmine_api.seed import seed
from servicekit.auth import Role

from tests.greenmine_api.support import (
    apply,
    assign,
    deliver,
    events,
    granted,
    listed_mine,
    publicity,
    record,
    register_org,
    submit,
)

OILFIELD = "内蒙古二连盆地包尔-吉格森油田开采"
PETROCHINA = "中国石油天然气股份有限公司"


def oilfield():
    return granted(mine_name=OILFIELD, holder_name=PETROCHINA, reference=True)


async def test_the_reference_grant_lists_the_oilfield_from_2021_03_28(gm):
    grant = oilfield()
    await deliver(gm, grant)
    [listing] = (await gm.client.get("/listings")).json()["items"]
    assert listing["right_id"] == str(grant.right_id)
    assert listing["entry_date"] == "2021-03-28" and listing["source"] == "reference"
    assert listing["holder_name"] == PETROCHINA
    # reviews fall every 3 years from entry: 2024-03-28 passed, the next one is 2027-03-28
    assert listing["next_review_due"] == "2027-03-28"
    [listed] = await events(gm, "greenmine.mine.listed")
    assert listed["entry_date"] == "2021-03-28"
    # running the seed again (mineadmin seed is idempotent) lists nothing twice
    async with gm.runtime.db.transaction() as session:
        await seed(session)
    assert len((await gm.client.get("/listings")).json()["items"]) == 1
    assert len((await gm.client.get("/standards")).json()["items"]) == 1


async def test_the_seed_lists_the_oilfield_when_the_grant_came_first(greenmine):
    grant = oilfield()
    consumer = greenmine.runtime.consumers["greenmine"]

    # before the seed there is no edition: the grant is recorded, the listing waits
    assert (await consumer.process(record(grant))).status == "applied"
    assert (await greenmine.client.get("/listings")).json()["items"] == []
    async with greenmine.runtime.db.transaction() as session:
        await seed(session)
    items = (await greenmine.client.get("/listings")).json()["items"]
    assert [(i["right_id"], i["entry_date"]) for i in items] == [
        (str(grant.right_id), "2021-03-28")
    ]


async def test_indicators_count_the_list_against_the_target_and_name_obliged_mines(gm):
    await deliver(gm, oilfield())
    new_mine = granted(mine_name="二连浩特市乌敦花建筑用砂矿")
    await deliver(gm, new_mine)
    await listed_mine(gm, granted(mine_name="二连浩特市忠耐石料场花岗岩矿"))
    response = await gm.client.get("/indicators")
    assert response.status_code == 200
    body = response.json()
    assert body["edition"] == "2021-2025" and body["period_end"] == "2025-12-31"
    assert (body["listed_count"], body["target"], body["gap"]) == (2, 4, 2)
    assert body["obliged_count"] == 1
    assert [m["mine_name"] for m in body["obliged"]] == ["二连浩特市乌敦花建筑用砂矿"]
    assert body["obliged"][0]["right_id"] == str(new_mine.right_id)


async def test_the_publicity_length_is_configuration_changed_with_if_match(gm):
    read = await gm.client.get("/editions/2021-2025")
    assert read.status_code == 200 and read.json()["publicity_workdays"] == 5
    assert read.json()["green_mine_target"] == 4
    admin = gm.auth(Role.bureau_admin)
    body = {"publicity_workdays": 7}
    missing = await gm.client.patch("/editions/2021-2025", json=body, headers=admin)
    assert missing.status_code == 428
    stale = await gm.client.patch(
        "/editions/2021-2025", json=body, headers={**admin, "If-Match": '"0"'}
    )
    assert stale.status_code == 412
    reviewer = gm.auth(Role.bureau_reviewer)
    etag = read.headers["ETag"]
    refused = await gm.client.patch(
        "/editions/2021-2025", json=body, headers={**reviewer, "If-Match": etag}
    )
    assert refused.status_code == 403
    changed = await gm.client.patch(
        "/editions/2021-2025", json=body, headers={**admin, "If-Match": etag}
    )
    assert changed.status_code == 200 and changed.json()["publicity_workdays"] == 7
    # the next publicity runs 7 working days: Mon 3 Nov 2025 → Tue 11 Nov
    mine = granted()
    await deliver(gm, mine)
    await register_org(gm)
    application = await apply(gm, mine)
    await assign(gm, application)
    await submit(gm, application)
    assert (await publicity(gm, application, "2025-11-03"))["ends_on"] == "2025-11-11"
    unknown = await gm.client.get("/editions/2031-2035")
    assert unknown.status_code == 404
