"""The admission rules of the plan, each passing and failing with its clause (dry-run check)."""

import pytest
from servicekit.auth import Role

from tests.rights_api.support import (
    BLANK,
    SCJ001,
    SCJ003,
    URBAN,
    add_right,
    codes,
    holder,
    load_edition,
    mining_request,
)


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


async def check(service, body: dict) -> dict:
    response = await service.client.post(
        "/applications/check", json=body, headers=service.auth(Role.bureau_reviewer)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_granite_mine_in_scj001_meeting_every_rule_passes(plan):
    owner = await holder(plan, 1)
    result = await check(plan, mining_request(owner))
    assert result == {
        "passed": True,
        "violations": [],
        "edition": "2021-2025",
        "computed_area_km2": result["computed_area_km2"],
        "zone": "SCJ001",
    }
    assert abs(float(result["computed_area_km2"]) - 0.15) < 0.0001


@pytest.mark.parametrize(
    ("scale", "passes"),
    [("6", True), ("5.99", False), ("3", False)],
)
async def test_minimum_scale_of_zhuanlan_5(plan, scale, passes):
    owner = await holder(plan, 1)
    body = mining_request(owner, scale={"value": scale, "unit": "10k_m3_per_year"})
    result = await check(plan, body)
    assert result["passed"] is passes
    if not passes:
        [violation] = result["violations"]
        assert violation["code"] == "min_scale"
        assert violation["clause"] == "第四章第二节, 专栏五"
        assert violation["numbers"] == {
            "scale": scale,
            "minimum": "6",
            "unit": "10k_m3_per_year",
        }
        assert "最低开采规模6万m³/年" in violation["message_zh"]
        assert "below the minimum 6" in violation["message_en"]


async def test_a_scale_in_the_wrong_unit_is_a_violation(plan):
    owner = await holder(plan, 1)
    result = await check(
        plan, mining_request(owner, scale={"value": "100000", "unit": "t_per_year"})
    )
    assert codes(result)["scale_unit"]["numbers"] == {
        "unit": "t_per_year",
        "expected_unit": "10k_m3_per_year",
    }


async def test_fluorite_is_licensed_by_the_region_not_the_city(plan):
    owner = await holder(plan, 1)
    body = mining_request(
        owner, mineral="fluorite", scale={"value": "12", "unit": "10k_t_per_year"}
    )
    found = codes(await check(plan, body))
    assert found["licensing_level"]["clause"] == "专栏五"
    assert found["licensing_level"]["numbers"]["licensing_level"] == "region"
    assert "自治区登记发证" in found["licensing_level"]["message_zh"]
    assert "min_scale" not in found  # 12万吨/年 meets the fluorite minimum of 10


async def test_city_cap_on_small_mines(plan):
    owner = await holder(plan, 1)
    for index in range(3):  # agate counts as a small non-metallic mine
        await add_right(plan, owner, at=(111.40 + index * 0.02, 43.10), mineral="agate", scale=None)
    assert (await check(plan, mining_request(owner)))["passed"] is True  # 3 + 1 = 4

    await add_right(plan, owner, at=(111.48, 43.10), mineral="agate", scale=None)
    violation = codes(await check(plan, mining_request(owner)))["city_mine_cap"]
    assert violation["clause"] == "第二章第三节, 专栏二"
    assert violation["numbers"] == {"existing": 4, "maximum": 4}


async def test_closed_mines_do_not_count_against_the_caps(plan):
    owner = await holder(plan, 1)
    for index in range(3):
        await add_right(plan, owner, at=(111.40 + index * 0.02, 43.10), status="closed")
    assert (await check(plan, mining_request(owner)))["passed"] is True


async def test_granite_mine_count_cap_of_zhuanlan_4(plan):
    owner = await holder(plan, 1)
    for index in range(2):
        await add_right(plan, owner, at=(111.70 + index * 0.01, 43.56), zone="SCJ001")
    assert (await check(plan, mining_request(owner)))["passed"] is True

    await add_right(plan, owner, at=(111.72, 43.56), status="suspended", zone="SCJ001")
    found = codes(await check(plan, mining_request(owner)))
    assert found["mine_count_cap"]["clause"] == "第四章第二节, 专栏四"
    assert found["mine_count_cap"]["numbers"] == {
        "cap": "建筑用花岗岩",
        "existing": 3,
        "maximum": 3,
    }


async def test_granite_output_cap_of_zhuanlan_4(plan):
    owner = await holder(plan, 1)
    await add_right(plan, owner, at=(111.70, 43.56), scale=("35", "10k_m3_per_year"))
    assert (await check(plan, mining_request(owner)))["passed"] is True  # 35 + 10 = 45

    body = mining_request(owner, scale={"value": "10.5", "unit": "10k_m3_per_year"})
    violation = codes(await check(plan, body))["output_cap"]
    assert violation["clause"] == "第四章第二节, 专栏四"
    assert violation["numbers"] == {
        "cap": "建筑用花岗岩",
        "existing": "35",
        "requested": "10.5",
        "maximum": "45",
        "unit": "10k_m3_per_year",
    }


async def test_a_boundary_outside_the_city(plan):
    owner = await holder(plan, 1)
    found = codes(await check(plan, mining_request(owner, at=(110.50, 43.30))))
    assert found["outside_city"]["clause"] == "第一章第一节"
    assert "outside_zone" in found


async def test_a_boundary_outside_every_zone_and_block(plan):
    owner = await holder(plan, 1)
    result = await check(plan, mining_request(owner, at=BLANK))
    [violation] = result["violations"]
    assert violation["code"] == "outside_zone"
    assert violation["clause"] == "第三章第四节, 专栏三; 第五章第一节"
    assert violation["numbers"] == {"zones": ["SCJ001", "SCJ004", "KQ-03", "KQ-04", "KQ-05"]}


async def test_a_zone_planned_for_another_mineral_does_not_admit(plan):
    owner = await holder(plan, 1)
    result = await check(plan, mining_request(owner, at=SCJ003))  # a sand pit, not granite
    assert [v["code"] for v in result["violations"]] == ["outside_zone"]
    sand = mining_request(
        owner, at=SCJ003, mineral="construction_sand", mine_name="白音敖包南砂坑建筑用砂矿"
    )
    result = await check(plan, sand)
    # the sand pit admits sand; a new sand right is then granted only by market grant
    # (第五章第二节, /grant-offerings), so the direct application fails on that rule alone
    assert [v["code"] for v in result["violations"]] == ["market_grant_only"]
    assert result["zone"] == "SCJ003"


async def test_a_boundary_in_a_prohibited_area(plan):
    owner = await holder(plan, 1)
    found = codes(await check(plan, mining_request(owner, at=URBAN)))
    assert found["prohibited_area"]["clause"] == "第三章第一节"
    assert found["prohibited_area"]["numbers"]["kind"] == "urban_boundary"
    assert "城镇开发边界" in found["prohibited_area"]["message_zh"]


async def test_overlap_with_a_live_right_but_not_a_closed_one(plan):
    owner = await holder(plan, 1)
    existing = await add_right(plan, owner, at=(SCJ001[0] + 0.002, SCJ001[1]), area=0.1)
    violation = codes(await check(plan, mining_request(owner)))["overlap"]
    assert violation["clause"] == "第三章第四节, 第五章第二节"
    [hit] = violation["numbers"]["overlapping"]
    assert hit["licence_no"] == existing["licence_no"]
    assert 0 < float(hit["shared_km2"]) < 0.1

    closed = await holder(plan, 2)
    other = await add_right(plan, closed, at=(111.70, 43.57), area=0.1, status="closed_by_policy")
    result = await check(plan, mining_request(owner, at=(111.70, 43.57)))
    assert result["passed"] is True, other


async def test_boundaries_that_only_touch_do_not_overlap(plan):
    owner = await holder(plan, 1)
    body = mining_request(owner)
    ring = body["boundary"]["coordinates"][0]
    east = max(x for x, _ in ring)
    width = east - min(x for x, _ in ring)
    neighbour = [[x + width, y] for x, y in ring]  # shares the east edge
    response = await plan.client.post(
        "/rights",
        json={
            "licence_no": "C1525012019010000000001",
            "kind": "mining",
            "holder_id": owner,
            "mine_name": "相邻矿",
            "mineral": "construction_granite",
            "area_km2": body["area_km2"],
            "valid_from": "2019-01-01",
            "valid_to": "2029-12-31",
            "boundary": {"type": "Polygon", "coordinates": [neighbour]},
        },
        headers=plan.auth(Role.bureau_admin),
    )
    assert response.status_code == 201, response.text
    assert (await check(plan, body))["passed"] is True


async def test_required_documents(plan):
    owner = await holder(plan, 1)
    body = mining_request(
        owner, documents=["development_plan", {"kind": "eia", "title": "环境影响报告书"}]
    )
    violation = codes(await check(plan, body))["missing_documents"]
    assert violation["clause"] == "第五章第三节"
    assert violation["numbers"] == {
        "missing": ["soil_water_plan", "restoration_plan", "safety_assessment"]
    }
    assert "水土保持方案" in violation["message_zh"]


@pytest.mark.parametrize(("years", "passes"), [(3, True), (4, False)])
async def test_a_temporary_borrow_pit_runs_at_most_three_years(plan, years, passes):
    owner = await holder(plan, 1)
    body = mining_request(owner, temporary_borrow_pit=True, term_years=years)
    result = await check(plan, body)
    assert result["passed"] is passes
    if not passes:
        [violation] = result["violations"]
        assert violation["code"] == "borrow_pit_term"
        assert violation["clause"] == "第五章第一节"
        assert violation["numbers"] == {"term_years": 4, "maximum": 3}
    ordinary = await check(plan, mining_request(owner, term_years=10))
    assert ordinary["passed"] is True  # the limit is for borrow pits only


async def test_every_failed_rule_is_reported_at_once(plan):
    owner = await holder(plan, 1)
    body = mining_request(
        owner,
        at=URBAN,
        scale={"value": "2", "unit": "10k_m3_per_year"},
        documents=[],
        temporary_borrow_pit=True,
        term_years=5,
    )
    found = codes(await check(plan, body))
    assert set(found) == {
        "min_scale",
        "outside_zone",
        "prohibited_area",
        "missing_documents",
        "borrow_pit_term",
    }
    for violation in found.values():
        assert violation["clause"] and violation["message_zh"] and violation["message_en"]


async def test_exploration_rights_are_judged_by_location_and_licensing_level(plan):
    owner = await holder(plan, 1)
    body = {
        "kind": "new_exploration_right",
        "holder_id": owner,
        "mine_name": "二连浩特市某地铀矿普查",
        "mineral": "uranium",
        "term_years": 5,
        "area_km2": "1.0000",
        "boundary": mining_request(owner, at=BLANK, area=1.0)["boundary"],
    }
    found = codes(await check(plan, body))
    assert set(found) == {"licensing_level"}
    assert found["licensing_level"]["numbers"]["licensing_level"] == "state"
    result = await check(plan, {**body, "mineral": "agate", "mine_name": "玛瑙普查"})
    assert result["passed"] is True
