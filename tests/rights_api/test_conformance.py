"""Existing rights against a plan edition (第五章第三节 规划准入条件, 第四章第二节, 第三章第四节):
the findings on the mines of 专栏一 by the plan's own numbers, the actions opened from them once
each, and who may do it."""

from datetime import timedelta

import pytest
from rights_api.app import SERVICE
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.support import BLANK, SCJ003, URBAN, add_right, count, events, holder

FLAGGED = "rights.conformance.flagged"
OIL = "内蒙古二连盆地包尔-吉格森油田开采"
BAIYIN = "二连市白音敖包萤石矿"  # 专栏一 No. 2: 1万吨/年, closing
HADAHUSU = "二连浩特市哈达呼苏萤石矿"  # No. 3: 1万吨/年, suspended since 2014
XIANFENG = "二连浩特市乌希根楚二号建筑用花岗岩矿"  # No. 6: 6万m³/年, producing
SANHAO = "二连浩特市乌希根楚三号建筑用花岗岩矿"  # No. 7: 3万m³/年, closing
BEISHAN = "二连浩特市乌希根楚北山建筑用花岗岩矿"  # No. 8: 5万m³/年, closing


async def seeded(rights) -> str:
    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)
    return (await rights.client.get("/plan-editions/current")).json()["id"]


async def findings(rights, edition_id: str, role: Role = Role.bureau_reviewer) -> list[dict]:
    response = await rights.client.get(
        f"/plan-editions/{edition_id}/conformance", headers=rights.auth(role)
    )
    assert response.status_code == 200, response.text
    return response.json()["findings"]


async def open_action(rights, edition_id: str, right_id: str, rule: str, role=Role.bureau_admin):
    return await rights.client.post(
        f"/plan-editions/{edition_id}/conformance/actions",
        json={"right_id": right_id, "rule": rule},
        headers=rights.auth(role),
    )


def by_mine(found: list[dict], mine: str) -> dict[str, dict]:
    return {f["rule"]: f for f in found if f["mine_name"] == mine}


async def test_the_mines_of_zhuanlan_1_against_the_plans_own_numbers(rights):
    """专栏五: fluorite 10万吨/年, stone 6万m³/年; 第四章第二节: below it after 2023-12-31 → exit,
    no renewal. Both fluorite mines (1万吨/年), 乌希根楚三号 (3万m³/年) and 北山 (5万m³/年) fail;
    二号 (6万m³/年, exactly the minimum) passes; the oilfield (state-licensed) and the agate mine
    (no minimum in 专栏五) have no minimum to fail; the slate quarry is closed by policy. The city
    has 4 small city-licensed mines (agate and 3 granite: the cap of 专栏二) and 3 granite mines
    making 14万m³/年 (专栏四: 3 and 45): no cap is exceeded, and every mine lies where the plan
    puts it."""
    edition_id = await seeded(rights)
    found = await findings(rights, edition_id)

    got = {(f["mine_name"], f["rule"], f["action"]) for f in found}
    expected = {
        (mine, rule, action)
        for mine in (BAIYIN, HADAHUSU, SANHAO, BEISHAN)
        for rule, action in (
            ("below_min_scale", "exit"),
            ("below_min_scale_no_renewal", "no_renewal"),
        )
    }
    assert got == expected
    fluorite = {"scale": "1", "minimum": "10", "unit": "10k_t_per_year"}
    for mine, numbers in (
        (BAIYIN, fluorite),
        (HADAHUSU, fluorite),
        (SANHAO, {"scale": "3", "minimum": "6", "unit": "10k_m3_per_year"}),
        (BEISHAN, {"scale": "5", "minimum": "6", "unit": "10k_m3_per_year"}),
    ):
        exit_ = by_mine(found, mine)["below_min_scale"]
        assert {k: exit_["numbers"][k] for k in numbers} == numbers, mine
        assert exit_["numbers"]["deadline"] == "2023-12-31"
        assert exit_["clause"] == "第四章第二节"
        assert exit_["effect"] == "compliance_order"
        assert exit_["illustrative"] is False  # scales are the plan's, not demo geometry
        assert exit_["action_id"] is None
        no_renewal = by_mine(found, mine)["below_min_scale_no_renewal"]
        assert no_renewal["effect"] == "recorded"
        assert no_renewal["numbers"]["valid_to"] == "2029-12-31"
        assert "不再予以办理延续登记" in no_renewal["message_zh"]
    assert by_mine(found, BAIYIN)["below_min_scale"]["licensing_level"] == "region"
    assert by_mine(found, HADAHUSU)["below_min_scale"]["right_status"] == "suspended"
    assert "10万吨/年" in by_mine(found, BAIYIN)["below_min_scale"]["message_zh"]
    # reading publishes nothing
    assert await events(rights, FLAGGED) == []


async def test_opening_an_exit_is_idempotent(rights):
    edition_id = await seeded(rights)
    [finding] = [
        f
        for f in await findings(rights, edition_id)
        if f["mine_name"] == SANHAO and f["rule"] == "below_min_scale"
    ]
    first = await open_action(rights, edition_id, finding["right_id"], "below_min_scale")
    assert first.status_code == 201, first.text
    action = first.json()
    assert action["action"] == "exit"
    assert action["clause"] == "第四章第二节"
    assert action["due_on"] == (clock.local_today() + timedelta(days=365)).isoformat()
    order_id = action["order_id"]
    order = (
        await rights.client.get(
            f"/compliance-orders/{order_id}", headers=rights.auth(Role.bureau_reviewer)
        )
    ).json()
    assert order["violation"] == "below_min_scale_exit"
    assert order["due_on"] == action["due_on"]
    assert "第四章第二节" in order["description"]

    again = await open_action(rights, edition_id, finding["right_id"], "below_min_scale")
    assert again.status_code == 200
    assert again.json() == action
    assert await count(rights, "SELECT count(*) FROM conformance_actions") == 1
    assert await count(rights, "SELECT count(*) FROM compliance_orders") == 1

    [(_, key, flagged)] = await events(rights, FLAGGED)
    assert key == finding["right_id"]
    assert flagged["holder_id"] == finding["holder_id"]
    assert flagged["rule"] == "below_min_scale" and flagged["action"] == "exit"
    assert flagged["order_id"] == order_id
    assert flagged["deadline"]["id"] == f"rights.compliance.{order_id}"
    assert flagged["deadline"]["audience"] == {
        "holder_id": finding["holder_id"],
        "role": None,
        "org_id": None,
    }
    assert flagged["deadline"]["due_at"] == action["due_on"]

    shown = by_mine(await findings(rights, edition_id), SANHAO)
    assert shown["below_min_scale"]["action_id"] == action["id"]
    assert shown["below_min_scale_no_renewal"]["action_id"] is None
    history = (
        await rights.client.get(
            f"/rights/{finding['right_id']}/history", headers=rights.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert history[-1]["action"] == "conformance_exit"


async def test_no_renewal_is_recorded_and_the_renewal_rule_refuses_it(rights):
    edition_id = await seeded(rights)
    finding = by_mine(await findings(rights, edition_id), HADAHUSU)["below_min_scale_no_renewal"]
    response = await open_action(rights, edition_id, finding["right_id"], finding["rule"])
    assert response.status_code == 201, response.text
    action = response.json()
    assert action["order_id"] is None
    assert action["due_on"] == "2029-12-31"
    [(_, _, flagged)] = await events(rights, FLAGGED)
    assert flagged["action"] == "no_renewal"
    assert flagged["deadline"]["kind"] == "licence_no_renewal"
    assert flagged["deadline"]["due_at"] == "2029-12-31"
    assert flagged["deadline"]["id"] == f"rights.conformance.{action['id']}"
    assert await count(rights, "SELECT count(*) FROM compliance_orders") == 0

    check = await rights.client.post(
        "/applications/check",
        json={"kind": "renewal", "right_id": finding["right_id"], "term_years": 5},
        headers=rights.auth(Role.bureau_reviewer),
    )
    refused = {v["code"]: v for v in check.json()["violations"]}
    assert refused["below_min_scale_no_renewal"]["clause"] == "第四章第二节"
    # the refusal names the action on record
    assert refused["below_min_scale_no_renewal"]["numbers"]["conformance_action_id"] == action["id"]


async def test_a_mine_in_a_prohibited_area_is_closed_and_one_outside_the_zones_rectifies(rights):
    edition_id = await seeded(rights)
    owner = await holder(rights, 31)
    urban = await add_right(rights, owner, at=URBAN)  # granite, 6万m³/年, city
    blank = await add_right(rights, owner, at=BLANK)
    oil = await add_right(
        rights,
        owner,
        at=(URBAN[0] + 0.001, URBAN[1]),
        mineral="petroleum",
        level="state",
        scale=("5", "10k_t_per_year"),
    )
    found = await findings(rights, edition_id)
    rules = {
        f["right_id"]: {g["rule"]: g for g in found if g["right_id"] == f["right_id"]}
        for f in found
    }
    # the 4th and 5th granite mines are beyond the caps of 专栏二 and 专栏四 as well
    caps = {"city_mine_cap", "mine_count_cap"}
    assert set(rules[urban["id"]]) == {"prohibited_area", "outside_zone", *caps}

    def caps_of(right: dict) -> list[str]:
        return [c["cap"] for c in rules[right["id"]]["mine_count_cap"]["numbers"]["caps"]]

    # granite: 3 of 专栏一 and this one (4 > 3); granite and sand together: 4, not beyond 4
    assert caps_of(urban) == ["建筑用花岗岩"]
    closing = rules[urban["id"]]["prohibited_area"]
    assert closing["action"] == "close"
    assert closing["clause"].startswith("第五章第三节 规划准入条件")
    assert "第三章第一节" in closing["clause"]
    assert closing["illustrative"] is True  # the demo urban boundary
    assert closing["numbers"]["areas"][0]["kind"] == "urban_boundary"
    # the oilfield is state-licensed: only the prohibited-area rule applies to it
    assert set(rules[oil["id"]]) == {"prohibited_area"}
    assert set(rules[blank["id"]]) == {"outside_zone", *caps}
    assert caps_of(blank) == ["建筑用花岗岩", "合计"]  # the 5th of both
    assert rules[blank["id"]]["outside_zone"]["clause"] == "第三章第四节"
    assert rules[blank["id"]]["outside_zone"]["action"] == "restrict"

    closed = await open_action(rights, edition_id, urban["id"], "prohibited_area")
    assert closed.status_code == 201, closed.text
    right = (
        await rights.client.get(f"/rights/{urban['id']}", headers=rights.auth(Role.bureau_admin))
    ).json()
    assert right["status"] == "closing"
    [(_, _, flagged)] = await events(rights, FLAGGED)
    assert flagged["action"] == "close" and flagged["deadline"] is None

    refused = await open_action(rights, edition_id, oil["id"], "prohibited_area")
    assert refused.status_code == 422
    assert "state" in refused.json()["detail"]
    assert await count(rights, "SELECT count(*) FROM conformance_actions") == 1  # nothing kept

    rectify = await open_action(rights, edition_id, blank["id"], "outside_zone")
    assert rectify.status_code == 201, rectify.text
    assert rectify.json()["due_on"] == (clock.local_today() + timedelta(days=180)).isoformat()
    order_id = rectify.json()["order_id"]
    order = (
        await rights.client.get(
            f"/compliance-orders/{order_id}", headers=rights.auth(Role.bureau_admin)
        )
    ).json()
    assert order["violation"] == "plan_nonconforming"


async def test_the_mines_beyond_a_cap_get_no_new_grants(rights):
    """专栏四: sand 1 mine, 35万m³/年; 专栏二: 4 small city-licensed mines (专栏一 leaves 4). Two
    sand pits of 20万m³/年 in SCJ003 (the plan's own 2 new sand rights): both are beyond the city
    cap (5th and 6th); the second (newer) also beyond the sand count (2 > 1), the output
    (40 > 35) and the granite-and-sand count (5 > 4)."""
    edition_id = await seeded(rights)
    owner = await holder(rights, 32)
    sand = ("20", "10k_m3_per_year")
    first = await add_right(rights, owner, at=SCJ003, mineral="construction_sand", scale=sand)
    second = await add_right(
        rights, owner, at=(SCJ003[0] + 0.004, SCJ003[1]), mineral="construction_sand", scale=sand
    )
    found = await findings(rights, edition_id)
    older = {f["rule"]: f for f in found if f["right_id"] == first["id"]}
    assert set(older) == {"city_mine_cap"}
    assert older["city_mine_cap"]["numbers"]["caps"] == [
        {"cap": "city_small_mines", "existing": 6, "maximum": 4}
    ]
    assert older["city_mine_cap"]["clause"] == "第二章第三节, 专栏二; 第八章第三节"
    mine = {f["rule"]: f for f in found if f["right_id"] == second["id"]}
    assert set(mine) == {"city_mine_cap", "mine_count_cap", "output_cap"}
    count_cap = mine["mine_count_cap"]
    assert count_cap["action"] == "restrict" and count_cap["effect"] == "recorded"
    assert count_cap["clause"] == "第四章第二节, 专栏四; 第八章第三节"
    assert count_cap["numbers"]["caps"] == [
        {"cap": "建筑用砂", "existing": 2, "maximum": 1},
        {"cap": "合计", "existing": 5, "maximum": 4},
    ]
    output = mine["output_cap"]["numbers"]["caps"]
    assert {
        "cap": "建筑用砂",
        "cumulative": "40",
        "maximum": "35",
        "unit": "10k_m3_per_year",
    } in output

    response = await open_action(rights, edition_id, second["id"], "mine_count_cap")
    assert response.status_code == 201, response.text
    assert response.json()["order_id"] is None
    assert await count(rights, "SELECT count(*) FROM compliance_orders") == 0


@pytest.mark.parametrize("role", [Role.enterprise, Role.inspector, Role.gov_system])
async def test_only_the_bureau_reads_and_opens(rights, role):
    edition_id = await seeded(rights)
    finding = by_mine(await findings(rights, edition_id), SANHAO)["below_min_scale"]
    claims = {"holder_id": finding["holder_id"]} if role == Role.enterprise else {}
    read = await rights.client.get(
        f"/plan-editions/{edition_id}/conformance", headers=rights.auth(role, **claims)
    )
    assert read.status_code == 403
    opened = await rights.client.post(
        f"/plan-editions/{edition_id}/conformance/actions",
        json={"right_id": finding["right_id"], "rule": "below_min_scale"},
        headers=rights.auth(role, **claims),
    )
    assert opened.status_code == 403
    assert (await rights.client.get(f"/plan-editions/{edition_id}/conformance")).status_code == 401
    assert await count(rights, "SELECT count(*) FROM conformance_actions") == 0


async def test_refusals_name_what_is_wrong(rights):
    edition_id = await seeded(rights)
    found = await findings(rights, edition_id)
    xianfeng = await count(rights, f"SELECT id::text FROM rights WHERE mine_name = '{XIANFENG}'")
    assert not by_mine(found, XIANFENG)
    nothing = await open_action(rights, edition_id, xianfeng, "below_min_scale")
    assert nothing.status_code == 422
    assert [e["field"] for e in nothing.json()["errors"]] == ["body.rule"]
    bad_rule = await open_action(rights, edition_id, xianfeng, "too_pretty")
    assert bad_rule.status_code == 422
    assert "rule" in bad_rule.text
    unknown = await open_action(
        rights, edition_id, "00000000-0000-4000-8000-000000000000", "below_min_scale"
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.right_id"]
    no_edition = await rights.client.get(
        "/plan-editions/00000000-0000-4000-8000-000000000000/conformance",
        headers=rights.auth(Role.bureau_admin),
    )
    assert no_edition.status_code == 404
    assert await count(rights, "SELECT count(*) FROM conformance_actions") == 0


def test_the_notifier_takes_the_flag_s_deadline():
    """The notifier reads every event type whose payload has a ``deadline`` field."""
    from contracts.rights import ConformanceFlagged
    from notifier.deadlines.service import DEADLINE_EVENTS
    from notifier.journal.handlers import TAKEN_IN

    assert ConformanceFlagged in DEADLINE_EVENTS
    assert ConformanceFlagged in TAKEN_IN


async def test_before_the_deadline_a_small_mine_rectifies_instead_of_exiting(rights):
    """Up to 2023-12-31 the plan asks a mine below the minimum to reach it (第五章第二节 限期整改;
    第四章第二节 "尽快达到"); exit and no renewal come after."""
    from datetime import date

    from rights_api.conformance import judging as conformance
    from rights_api.plan import service as plans

    edition_id = await seeded(rights)
    async with rights.runtime.db.transaction() as session:
        edition = await plans.get_edition(session=session, edition_id=edition_id)
        on_deadline = await conformance.judge(
            session=session, edition=edition, on=date(2023, 12, 31)
        )
        after = await conformance.judge(session=session, edition=edition, on=date(2024, 1, 1))
    before = {(j.right.mine_name, j.rule.value, j.action.value) for j in on_deadline}
    assert before == {
        (m, "below_min_scale", "restrict") for m in (BAIYIN, HADAHUSU, SANHAO, BEISHAN)
    }
    assert {j.clause for j in on_deadline} == {"第五章第二节; 第四章第二节"}
    assert {(j.rule.value, j.action.value) for j in after} == {
        ("below_min_scale", "exit"),
        ("below_min_scale_no_renewal", "no_renewal"),
    }


def test_the_no_renewal_deadline_has_its_own_chinese_message():
    from notifier.alerts.messages import render

    context = {
        "title_zh": "二连浩特市哈达呼苏萤石矿采矿权到期不再延续登记（第四章第二节）",
        "due_at": "2029-12-31",
        "subject": "6c0d5a8e-1f3b-4e2a-9d7c-2b8e4f1a0c37",
        "days_left": 30,
    }
    reminder = render(language="zh", kind="licence_no_renewal", stage="reminder", **context)
    assert "到期后不再予以办理延续登记" in reminder.body
    assert "第四章第二节" in reminder.body
    overdue = render(language="zh", kind="licence_no_renewal", stage="overdue", **context)
    assert "请停止开采并办理闭坑手续" in overdue.body
