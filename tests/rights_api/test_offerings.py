"""Market grant 市场出让 (招拍挂) of the plan's planned blocks (第五章第一节, 第五章第二节): the
blocks in the edition, offerings judged by the admission rules, a sealed tender, an auction by
increments, a failed sale, a sale recorded after the fact, the award registering the right with
the instalments of the grant proceeds as deadlines, and the refusals (roles, other holders'
bids, bad input)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from rights_api.app import SERVICE
from servicekit.auth import Role
from shapely.geometry import shape

from tests.rights_api.offerings_support import offer, offered, offering_body, on
from tests.rights_api.support import (
    SCJ001,
    SCJ003,
    add_right,
    codes,
    count,
    events,
    holder,
    load_edition,
    mining_request,
)

NOTICE = date(2026, 3, 2)  # a Monday; 20 working days later the notice ends on 03-30
NOTICE_UNTIL = date(2026, 3, 30)
BIDDING = date(2026, 3, 31)
LISTING_UNTIL = date(2026, 4, 14)  # 10 working days from 03-31 (清明 04-04..06 not counted)


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


def admin(service):
    return service.auth(Role.bureau_admin)


def enterprise(service, holder_id):
    return service.auth(Role.enterprise, holder_id=holder_id)


async def post(service, path, body=None, headers=None):
    return await service.client.post(path, json=body or {}, headers=headers or admin(service))


async def announce(service, offering, day=NOTICE):
    with on(day):
        response = await post(
            service, f"/grant-offerings/{offering['id']}/announce", {"notice_from": day.isoformat()}
        )
    assert response.status_code == 200, response.text
    return response.json()


async def bidder(service, offering, holder_id, day=NOTICE, **extra):
    with on(day):
        return await post(
            service,
            f"/grant-offerings/{offering['id']}/bidders",
            {"holder_id": holder_id, **extra},
        )


async def bid(service, offering, holder_id, amount, day=BIDDING, headers=None):
    with on(day):
        return await post(
            service,
            f"/grant-offerings/{offering['id']}/bids",
            {"holder_id": holder_id, "amount_yuan": amount},
            headers or enterprise(service, holder_id),
        )


async def close(service, offering, day=BIDDING):
    with on(day):
        return await post(service, f"/grant-offerings/{offering['id']}/close")


# --- the blocks in the edition -------------------------------------------------------------


async def test_the_edition_lists_the_five_planned_blocks(plan):
    response = await plan.client.get("/plan-editions/current")
    assert response.status_code == 200
    blocks = response.json()["planned_blocks"]
    assert [b["id"] for b in blocks] == ["KQ-01", "KQ-02", "KQ-03", "KQ-04", "KQ-05"]
    assert [b["mineral"] for b in blocks] == ["construction_sand"] * 2 + [
        "construction_granite"
    ] * 3
    assert sum(Decimal(b["area_km2"]) for b in blocks) == Decimal("0.777")  # 第五章第一节
    for block in blocks:
        assert block["illustrative"] is True
        assert block["clause"] == "第五章第一节"
        assert "示意" not in block["name_zh"]
        assert block["boundary"]["type"] == "Polygon"
    shapes = [shape(b["boundary"]) for b in blocks]
    assert not any(a.intersects(b) for i, a in enumerate(shapes) for b in shapes[i + 1 :])


async def test_the_bureau_replaces_the_blocks_and_their_ids_stay_unique(plan):
    current = await plan.client.get("/plan-editions/current")
    edition = current.json()
    blocks = edition["planned_blocks"]
    path = f"/plan-editions/{edition['id']}"
    headers = {**admin(plan), "If-Match": current.headers["etag"]}
    twice = await plan.client.patch(
        path, json={"planned_blocks": [blocks[0], blocks[0]]}, headers=headers
    )
    assert twice.status_code == 422, twice.text
    real = {**blocks[0], "illustrative": False}
    replaced = await plan.client.patch(path, json={"planned_blocks": [real]}, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert [(b["id"], b["illustrative"]) for b in replaced.json()["planned_blocks"]] == [
        ("KQ-01", False)
    ]
    assert (await offer(plan, "KQ-03")).json()["errors"][0]["field"] == "body.block_id"


async def test_a_block_admits_a_new_granite_mine_and_names_itself_as_the_zone(plan):
    owner = await holder(plan, 1)
    block = (await plan.client.get("/plan-editions/current")).json()["planned_blocks"][2]
    body = mining_request(owner, area=0.157)
    body["boundary"] = block["boundary"]
    body["area_km2"] = block["area_km2"]
    response = await plan.client.post(
        "/applications/check", json=body, headers=plan.auth(Role.bureau_reviewer)
    )
    assert response.json()["passed"] is True, response.text
    assert response.json()["zone"] == "KQ-03"


# --- a direct sand application is refused --------------------------------------------------


async def test_a_direct_sand_application_is_refused_with_the_market_grant_clause(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner, at=SCJ003, mineral="construction_sand", mine_name="建筑用砂矿")
    response = await post(plan, "/applications", body, enterprise(plan, owner))
    assert response.status_code == 422, response.text
    violation = codes(response.json())["market_grant_only"]
    assert "第五章第二节" in violation["clause"]
    assert "市场出让" in violation["message_zh"]
    assert await count(plan, "SELECT count(*) FROM applications") == 0
    # granite is still filed directly: the edition marks sand only
    granite = await post(plan, "/applications", mining_request(owner), enterprise(plan, owner))
    assert granite.status_code == 201, granite.text


# --- creating an offering under the rules -------------------------------------------------


async def test_an_offering_of_a_planned_block_starts_as_a_draft(plan):
    response = await offer(plan, "KQ-01", key_project=True, basis="市人民政府设定出让条件")
    assert response.status_code == 201, response.text
    offering = response.json()
    assert response.headers["location"] == f"/grant-offerings/{offering['id']}"
    assert offering["state"] == "draft"
    assert offering["block_id"] == "KQ-01"
    assert offering["mineral"] == "construction_sand"
    assert offering["edition"] == "2021-2025"
    # judged in 2026 by the 2021-2025 edition, in force until the next one takes effect
    assert response.headers["plan-edition"] == "2021-2025"
    assert response.headers["plan-edition-past-period"] == "true"
    assert offering["area_km2"] == "0.1600"
    assert offering["reserve_price_yuan"] == "1200000.00"
    assert offering["min_increment_yuan"] == "10000.00"
    assert offering["key_project"] is True
    assert offering["key_project_basis"] == "市人民政府设定出让条件"
    assert offering["winner_holder_id"] is None and offering["contract"] is None
    # one open offering per block
    assert (await offer(plan, "KQ-01")).status_code == 409


async def test_an_offering_the_plan_refuses_lists_every_violation(plan):
    response = await offer(plan, "KQ-03", scale={"value": "3", "unit": "10k_m3_per_year"})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("admission-refused")
    violation = codes(problem)["min_scale"]
    assert violation["clause"] == "第四章第二节, 专栏五"
    assert violation["numbers"] == {"scale": "3", "minimum": "6", "unit": "10k_m3_per_year"}

    # a live right on the block's ground: one deposit is not split
    owner = await holder(plan, 1)
    block = (await plan.client.get("/plan-editions/current")).json()["planned_blocks"][3]
    lon, lat = shape(block["boundary"]).centroid.coords[0]
    await add_right(plan, owner, at=(lon, lat), area=0.02)
    refused = (await offer(plan, "KQ-04")).json()
    assert codes(refused)["overlap"]["clause"] == "第三章第四节, 第五章第二节"

    unknown = await offer(plan, "KQ-99")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.block_id"
    assert (await offer(plan, "KQ-01", key_project=True)).status_code == 422  # basis missing
    assert await count(plan, "SELECT count(*) FROM grant_offerings") == 0


async def test_with_the_mines_of_zhuanlan_1_only_the_caps_stop_the_blocks(rights):
    """The seeded reference mines fill the city cap of 4 (第二章第三节): every block is refused by
    the caps alone, naming 第五章第一节 too; no block lies on a mine, outside the city or in a
    prohibited area."""
    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)
    for block_id in ("KQ-01", "KQ-02", "KQ-03", "KQ-04", "KQ-05"):
        response = await offer(rights, block_id)
        assert response.status_code == 422, response.text
        found = codes(response.json())
        assert "city_mine_cap" in found, block_id
        assert set(found) <= {"city_mine_cap", "mine_count_cap", "output_cap"}, found
        assert all(v["clause"].endswith("; 第五章第一节") for v in found.values())


async def test_a_cap_refusal_shows_the_cap_and_the_planned_block(plan):
    """专栏四 caps sand at 1 mine while 第五章第一节 plans 2 sand blocks: the second sand offering
    (the first holds its place) is refused, naming both clauses."""
    await offered(plan, "KQ-01")
    response = await offer(plan, "KQ-02")
    assert response.status_code == 422, response.text
    cap = codes(response.json())["mine_count_cap"]
    assert cap["clause"] == "第四章第二节, 专栏四; 第五章第一节"
    assert cap["numbers"]["planned_by"] == {"clause": "第五章第一节", "block_id": "KQ-02"}
    assert cap["numbers"]["existing"] == 1 and cap["numbers"]["maximum"] == 1
    assert "规划前后不一致" in cap["message_zh"]


async def test_the_city_cap_refusal_names_both_clauses(plan):
    owner = await holder(plan, 1)
    for n in range(4):  # four city-licensed small mines: the city cap of 专栏二 is full
        await add_right(plan, owner, at=(111.40 + n * 0.02, 43.10), mineral="agate", scale=None)
    refused = (await offer(plan, "KQ-05")).json()
    cap = codes(refused)["city_mine_cap"]
    assert cap["clause"] == "第二章第三节, 专栏二; 第五章第一节"


async def test_an_open_offering_holds_its_place_against_a_direct_application(plan):
    """An application and an offering count the same places: an open sand offering holds the
    sand cap's single place (专栏四) and one of the city's four (专栏二), so a direct application
    that would exceed a cap is refused naming the offering; the place is freed when it is
    withdrawn. An enterprise sees a draft offering counted but not named."""
    owner = await holder(plan, 1)
    offering = await offered(plan, "KQ-01")
    sand = mining_request(owner, at=SCJ003, mineral="construction_sand", mine_name="建筑用砂矿")
    reviewer = plan.auth(Role.bureau_reviewer)
    checked = (await post(plan, "/applications/check", sand, reviewer)).json()
    cap = codes(checked)["mine_count_cap"]
    assert cap["numbers"]["cap"] == "建筑用砂" and cap["numbers"]["existing"] == 1
    assert cap["numbers"]["held_by_offerings"] == [
        {"offering_id": offering["id"], "block_id": "KQ-01", "state": "draft"}
    ]
    assert "KQ-01" in cap["message_zh"] and "KQ-01" in cap["message_en"]
    assert "market_grant_only" in codes(checked)  # every rule runs

    for n in range(3):  # three city-licensed small mines and the offering: the city cap of 4
        await add_right(plan, owner, at=(111.40 + n * 0.02, 43.10), mineral="agate", scale=None)
    refused = await post(plan, "/applications", mining_request(owner), enterprise(plan, owner))
    assert refused.status_code == 422, refused.text
    city = codes(refused.json())["city_mine_cap"]
    assert city["clause"] == "第二章第三节, 专栏二"  # no planned block: the cap's clause alone
    assert city["numbers"]["existing"] == 4
    assert city["numbers"]["held_by_offerings"] == []  # a draft is not public
    assert city["numbers"]["held_by_unannounced_offerings"] == 1
    assert "KQ-01" not in city["message_zh"] and "另1个拟出让区块" in city["message_zh"]

    await announce(plan, offering, NOTICE)
    refused = await post(plan, "/applications", mining_request(owner), enterprise(plan, owner))
    city = codes(refused.json())["city_mine_cap"]
    assert [h["offering_id"] for h in city["numbers"]["held_by_offerings"]] == [offering["id"]]
    assert "held_by_unannounced_offerings" not in city["numbers"]
    assert await count(plan, "SELECT count(*) FROM applications") == 0

    withdrawn = await post(plan, f"/grant-offerings/{offering['id']}/withdraw", {"reason": "x"})
    assert withdrawn.json()["state"] == "withdrawn"
    assert await count(plan, "SELECT count(*) FROM cap_reservations") == 0
    filed = await post(plan, "/applications", mining_request(owner), enterprise(plan, owner))
    assert filed.status_code == 201, filed.text


# --- a sealed tender -----------------------------------------------------------------------


async def test_a_tender_is_sealed_until_it_closes_and_equal_bids_go_to_the_earlier(plan):
    first, second, third = [await holder(plan, n) for n in (1, 2, 3)]
    offering = await offered(plan, "KQ-03", method="tender")
    announced = await announce(plan, offering)
    assert announced["state"] == "announced"
    assert announced["notice_until"] == NOTICE_UNTIL.isoformat()
    assert announced["bidding_from"] == announced["bidding_until"] == BIDDING.isoformat()

    # the bureau records bidders with their deposits; an enterprise cannot register itself
    assert (await bidder(plan, offering, first)).status_code == 201
    low = await bidder(plan, offering, second, deposit_yuan="1000.00")
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "body.deposit_yuan"
    assert (await bidder(plan, offering, second, deposit_yuan="250000.00")).status_code == 201
    assert (await bidder(plan, offering, second)).status_code == 409
    with on(NOTICE):
        self_registered = await post(
            plan,
            f"/grant-offerings/{offering['id']}/bidders",
            {"holder_id": third},
            enterprise(plan, third),
        )
    assert self_registered.status_code == 403

    # bids only while bidding is open, only from bidders, only for one's own holder
    assert (await bid(plan, offering, first, "1300000.00", day=NOTICE_UNTIL)).status_code == 409
    not_bidder = await bid(plan, offering, third, "1500000.00")
    assert not_bidder.status_code == 422
    assert not_bidder.json()["errors"][0]["field"] == "body.holder_id"
    forged = await bid(plan, offering, second, "1.00", headers=enterprise(plan, first))
    assert forged.status_code == 403
    assert (await bid(plan, offering, first, "1300000.00")).status_code == 201
    assert (await bid(plan, offering, second, "1300000.00")).status_code == 201
    assert (await bid(plan, offering, first, "1400000.00")).status_code == 409  # one sealed bid

    # sealed: each enterprise sees its own bid only, and no best bid
    path = f"/grant-offerings/{offering['id']}"
    for own in (first, second):
        seen = (await plan.client.get(f"{path}/bids", headers=enterprise(plan, own))).json()
        assert [b["holder_id"] for b in seen["items"]] == [own]
        shown = (await plan.client.get(path, headers=enterprise(plan, own))).json()
        assert shown["best_bid_yuan"] is None
    bureau = (await plan.client.get(f"{path}/bids", headers=admin(plan))).json()
    assert [b["holder_id"] for b in bureau["items"]] == [first, second]
    assert (await plan.client.get(path, headers=admin(plan))).json()["best_bid_yuan"] == (
        "1300000.00"
    )

    closed = await close(plan, offering)
    assert closed.status_code == 200, closed.text
    result = closed.json()
    assert result["state"] == "awarded"
    assert result["winner_holder_id"] == first  # equal amounts: the earlier bid wins
    assert result["price_yuan"] == "1300000.00"
    # after the close the others' amounts are visible, not who bid them
    seen = (await plan.client.get(f"{path}/bids", headers=enterprise(plan, second))).json()
    assert [(b["holder_id"], b["amount_yuan"]) for b in seen["items"]] == [
        (None, "1300000.00"),
        (second, "1300000.00"),
    ]
    assert (await bid(plan, offering, second, "1500000.00")).status_code == 409


async def test_an_award_registers_the_right_and_publishes_the_instalments(plan):
    winner = await holder(plan, 1, name="二连浩特市宏达砂石有限公司")
    offering = await offered(plan, "KQ-03", method="tender", reserve_price_yuan="1000000.00")
    await announce(plan, offering)
    await bidder(plan, offering, winner)
    await bid(plan, offering, winner, "1234567.89")
    result = (await close(plan, offering)).json()

    contract = result["contract"]
    assert contract["number"].startswith("CR-152501-2026-")
    assert contract["price_yuan"] == "1234567.89"
    assert contract["signed_on"] == BIDDING.isoformat()
    instalments = contract["instalments"]
    assert len(instalments) == 5
    assert sum(Decimal(i["amount_yuan"]) for i in instalments) == Decimal("1234567.89")
    assert instalments[0]["amount_yuan"] == "246913.57"
    assert instalments[0]["due_on"] == "2026-04-30"  # 30 days after the award, a working day

    right = (await plan.client.get(f"/rights/{result['right_id']}", headers=admin(plan))).json()
    assert right["status"] == "under_construction"
    assert right["holder_id"] == winner
    assert right["mineral"] == "construction_granite"
    assert right["zone"] == "KQ-03"
    assert right["licence_no"].startswith("C152501")

    granted = await events(plan, "rights.right.granted")
    assert [d["right_id"] for _, _, d in granted] == [result["right_id"]]
    [(_, key, awarded)] = await events(plan, "rights.grant.awarded")
    assert key == result["right_id"]
    assert awarded["offering_id"] == result["id"]
    assert awarded["contract_no"] == contract["number"]
    assert awarded["block_id"] == "KQ-03" and awarded["method"] == "tender"
    dues = await events(plan, "rights.grant.instalment_due")
    assert [d["number"] for _, _, d in dues] == [1, 2, 3, 4, 5]
    deadline = dues[0][2]["deadline"]
    assert deadline["id"] == f"rights.grant.{result['id']}.instalment.1"
    assert deadline["kind"] == "grant_proceeds"
    assert deadline["due_at"] == "2026-04-30"
    assert deadline["audience"] == {"holder_id": winner, "role": None, "org_id": None}
    assert deadline["subject"] == result["right_id"]
    # filings start with the grant, as for any working mine
    assert await count(plan, "SELECT count(*) FROM filings") == 2
    # the block is taken: its ground is now a live right
    again = await offer(plan, "KQ-03", method="tender")
    assert "overlap" in codes(again.json())


# --- an auction by increments, a failed sale ----------------------------------------------


async def test_an_auction_ascends_by_the_minimum_increment(plan):
    first, second = await holder(plan, 1), await holder(plan, 2)
    offering = await offered(plan, "KQ-04", method="auction", reserve_price_yuan="800000.00")
    await announce(plan, offering)
    for who in (first, second):
        await bidder(plan, offering, who)
    below = await bid(plan, offering, first, "799999.99")
    assert below.status_code == 422
    assert below.json()["errors"][0]["field"] == "body.amount_yuan"
    assert (await bid(plan, offering, first, "800000.00")).status_code == 201
    small_step = await bid(plan, offering, second, "809999.99")
    assert small_step.status_code == 422
    assert "810000.00" in small_step.json()["errors"][0]["message"]
    assert (await bid(plan, offering, second, "810000.00")).status_code == 201
    # an auction is open: everyone sees the best bid, not who made the others
    shown = await plan.client.get(
        f"/grant-offerings/{offering['id']}", headers=enterprise(plan, first)
    )
    assert shown.json()["best_bid_yuan"] == "810000.00"
    result = (await close(plan, offering)).json()
    assert result["state"] == "awarded"
    assert (result["winner_holder_id"], result["price_yuan"]) == (second, "810000.00")


async def test_a_listing_without_a_bid_at_the_reserve_fails_and_may_be_offered_again(plan):
    first = await holder(plan, 1)
    offering = await offered(plan, "KQ-05")
    announced = await announce(plan, offering)
    assert announced["bidding_until"] == LISTING_UNTIL.isoformat()
    await bidder(plan, offering, first)
    assert (await close(plan, offering, day=BIDDING)).status_code == 409  # still open
    result = await close(plan, offering, day=LISTING_UNTIL)
    assert result.json()["state"] == "failed"  # 流拍
    assert result.json()["right_id"] is None
    assert await events(plan, "rights.grant.awarded") == []
    assert await count(plan, "SELECT count(*) FROM rights") == 0
    assert (await offer(plan, "KQ-05")).status_code == 201


async def test_the_award_judges_the_block_again_and_changes_nothing_when_it_fails(plan):
    """A right entered on the block's ground after the offering: the close is refused with the
    overlap, the offering stays announced, no right or event is made."""
    first = await holder(plan, 1)
    offering = await offered(plan, "KQ-04", method="auction", reserve_price_yuan="800000.00")
    await announce(plan, offering)
    await bidder(plan, offering, first)
    assert (await bid(plan, offering, first, "800000.00")).status_code == 201
    block = (await plan.client.get("/plan-editions/current")).json()["planned_blocks"][3]
    lon, lat = shape(block["boundary"]).centroid.coords[0]
    squatter = await add_right(plan, await holder(plan, 2), at=(lon, lat), area=0.02)
    refused = await close(plan, offering)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("admission-refused")
    [overlap] = codes(refused.json())["overlap"]["numbers"]["overlapping"]
    assert overlap["right_id"] == squatter["id"]
    shown = (
        await plan.client.get(f"/grant-offerings/{offering['id']}", headers=admin(plan))
    ).json()
    assert shown["state"] == "announced" and shown["right_id"] is None
    assert await count(plan, "SELECT count(*) FROM rights") == 1
    assert await events(plan, "rights.grant.awarded") == []


async def test_a_tender_whose_bids_are_all_below_the_reserve_fails(plan):
    first = await holder(plan, 1)
    offering = await offered(plan, "KQ-03", method="tender")
    await announce(plan, offering)
    await bidder(plan, offering, first)
    # a sealed bid below the reserve is taken; it cannot win
    assert (await bid(plan, offering, first, "1199999.99")).status_code == 201
    result = (await close(plan, offering)).json()
    assert result["state"] == "failed"
    assert result["winner_holder_id"] is None and result["contract"] is None
    assert await events(plan, "rights.grant.instalment_due") == []


async def test_withdrawing_an_offering(plan):
    offering = await offered(plan, "KQ-05")
    path = f"/grant-offerings/{offering['id']}/withdraw"
    withdrawn = await post(plan, path, {"reason": "区块范围需调整"})
    assert withdrawn.json()["state"] == "withdrawn"
    assert (await post(plan, path, {"reason": "再次撤回"})).status_code == 409


# --- a sale recorded after the fact ---------------------------------------------------------


async def test_a_sale_run_by_the_trading_centre_is_recorded_with_its_dates_checked(plan):
    winner = await holder(plan, 1)
    offering = await offered(plan, "KQ-03", method="listing")
    path = f"/grant-offerings/{offering['id']}/result"
    sale = {
        "holder_id": winner,
        "price_yuan": "1380000.00",
        "decided_on": "2026-10-30",
        "reference": "EHPRC-KC-2026-017",
    }

    async def record(day=date(2026, 11, 2), **changes):
        with on(day):
            return await post(plan, path, {**sale, **changes})

    def fields(response):
        assert response.status_code == 422, response.text
        return {e["field"] for e in response.json()["errors"]}

    assert fields(await record()) == {"body.notice_from"}  # never announced here
    # notice from 09-14: 20 working days around National Day end on 10-16, ten more on 10-30
    early = await record(notice_from="2026-09-14", decided_on="2026-10-29")
    assert fields(early) == {"body.decided_on"}
    assert "2026-10-30" in early.json()["errors"][0]["message"]
    assert fields(await record(notice_from="2026-10-31", decided_on="2026-10-30")) == {
        "body.decided_on"
    }
    assert fields(await record(notice_from="2026-09-14", day=date(2026, 10, 29))) == {
        "body.decided_on"
    }  # in the future
    cheap = await record(notice_from="2026-09-14", price_yuan="1199999.99")
    assert fields(cheap) == {"body.price_yuan"}
    assert await count(plan, "SELECT count(*) FROM rights") == 0

    recorded = await record(notice_from="2026-09-14")
    assert recorded.status_code == 200, recorded.text
    result = recorded.json()
    assert result["state"] == "awarded"
    assert result["reference"] == "EHPRC-KC-2026-017"
    assert result["notice_until"] == "2026-10-16"
    assert result["decided_on"] == "2026-10-30"
    assert result["contract"]["signed_on"] == "2026-10-30"
    [(_, _, awarded)] = await events(plan, "rights.grant.awarded")
    assert awarded["reference"] == "EHPRC-KC-2026-017"
    assert (await record(notice_from="2026-09-14")).status_code == 409


# --- who may do what -----------------------------------------------------------------------


async def test_only_the_bureau_offers_and_enterprises_see_no_drafts(plan):
    owner = await holder(plan, 1)
    for role, claims in (
        (Role.enterprise, {"holder_id": owner}),
        (Role.inspector, {}),
        (Role.gov_system, {}),
    ):
        response = await plan.client.post(
            "/grant-offerings", json=offering_body(), headers=plan.auth(role, **claims)
        )
        assert response.status_code == 403, role
    anonymous = await plan.client.post("/grant-offerings", json=offering_body())
    assert anonymous.status_code == 401

    draft = await offered(plan, "KQ-01")
    published = await offered(plan, "KQ-03", method="tender")
    await announce(plan, published)
    mine = enterprise(plan, owner)
    assert (
        await plan.client.get(f"/grant-offerings/{draft['id']}", headers=mine)
    ).status_code == 404
    assert (
        await plan.client.get(f"/grant-offerings/{draft['id']}/bids", headers=mine)
    ).status_code == 404
    listed = (await plan.client.get("/grant-offerings", headers=mine)).json()
    assert [o["id"] for o in listed["items"]] == [published["id"]]
    everything = (await plan.client.get("/grant-offerings", headers=admin(plan))).json()
    assert {o["id"] for o in everything["items"]} == {draft["id"], published["id"]}
    sand = await plan.client.get(
        "/grant-offerings", params={"mineral": "construction_sand"}, headers=admin(plan)
    )
    assert [o["id"] for o in sand.json()["items"]] == [draft["id"]]
    gov = await plan.client.get(
        f"/grant-offerings/{draft['id']}", headers=plan.auth(Role.gov_system)
    )
    assert gov.status_code == 200

    # an enterprise cannot announce, close or record a result
    for action, body in (
        ("announce", {"notice_from": "2027-01-04"}),
        ("close", {}),
        ("withdraw", {"reason": "x"}),
    ):
        refused = await post(plan, f"/grant-offerings/{draft['id']}/{action}", body, mine)
        assert refused.status_code == 403, action
    missing = await post(plan, "/grant-offerings/0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21/close")
    assert missing.status_code == 404


async def test_announcing_checks_the_state_and_the_date(plan):
    offering = await offered(plan, "KQ-01")
    with on(NOTICE):
        past = await post(
            plan, f"/grant-offerings/{offering['id']}/announce", {"notice_from": "2026-02-27"}
        )
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "body.notice_from"
    await announce(plan, offering)
    with on(NOTICE):
        again = await post(
            plan,
            f"/grant-offerings/{offering['id']}/announce",
            {"notice_from": NOTICE.isoformat()},
        )
    assert again.status_code == 409
    # bids before any bidder registered or outside the window
    owner = await holder(plan, 1)
    assert (await bid(plan, offering, owner, "1200000.00")).status_code == 422


async def test_an_offering_is_judged_like_an_application_elsewhere_in_the_city(plan):
    """A reference granite mine in SCJ001 does not stop a granite block elsewhere, but the
    plan's granite cap of 3 does once three live granite mines exist."""
    owner = await holder(plan, 1)
    for n in range(3):
        await add_right(plan, owner, at=(SCJ001[0] + n * 0.01, SCJ001[1] + 0.02))
    refused = (await offer(plan, "KQ-03")).json()
    assert codes(refused)["mine_count_cap"]["clause"] == "第四章第二节, 专栏四; 第五章第一节"


# --- the documents ---------------------------------------------------------------------------


async def test_the_grant_flow_is_documented_with_the_plans_own_blocks(plan):
    doc = (await plan.client.get("/openapi.json")).json()
    operations = [
        (path, method, op)
        for path, ops in doc["paths"].items()
        if path.startswith("/grant-offerings")
        for method, op in ops.items()
    ]
    assert len(operations) == 10
    for path, method, op in operations:
        assert op["tags"] == ["grant offerings 矿业权出让"]
        summary = op["summary"]
        assert re.search(r"[A-Za-z]", summary) and re.search(r"[\u4e00-\u9fff]", summary), (
            path,
            method,
        )
    [tag] = [t for t in doc["tags"] if t["name"] == "grant offerings 矿业权出让"]
    assert "第五章第二节" in tag["description"]
    create = doc["paths"]["/grant-offerings"]["post"]
    assert "violations" in create["responses"]["422"]["description"]
    examples = create["requestBody"]["content"]["application/json"]["examples"]
    blocks = {
        b["id"] for b in (await plan.client.get("/plan-editions/current")).json()["planned_blocks"]
    }
    assert {e["value"]["block_id"] for e in examples.values()} <= blocks
    # the documented examples are offerings the plan admits
    for example in examples.values():
        response = await plan.client.post(
            "/grant-offerings", json=example["value"], headers=admin(plan)
        )
        assert response.status_code == 201, response.text
