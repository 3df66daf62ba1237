"""Mortgages 抵押备案 / 解除 (第五章第二节): a mortgage filing approved becomes a mortgage record
and `rights.right.mortgaged`; while it is unreleased a transfer is refused naming it; the bureau
releases it (`rights.mortgage.released`) and the transfer goes through."""

import pytest
from servicekit.auth import Role

from tests.rights_api.support import BLANK, add_right, count, events, holder, load_edition

MORTGAGE = {
    "kind": "mortgage_filing",
    "reason": "以采矿权抵押向银行申请流动资金贷款",
    "mortgagee": "中国农业银行二连浩特市支行",
    "amount_yuan": "1200000.00",
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
}


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


async def post(service, path, body, role=Role.bureau_reviewer, **claims):
    return await service.client.post(path, json=body, headers=service.auth(role, **claims))


async def approved(service, body, owner) -> dict:
    filed = await post(service, "/applications", body, Role.enterprise, holder_id=owner)
    assert filed.status_code == 201, filed.text
    application = filed.json()
    decided = await post(service, f"/applications/{application['id']}/approve", {"reason": "同意"})
    assert decided.status_code == 200, decided.text
    return application


def transfer(right_id: str, to: str) -> dict:
    return {
        "kind": "transfer",
        "right_id": right_id,
        "to_holder_id": to,
        "reason": "企业重组，采矿权整体转让",
    }


async def test_a_mortgage_blocks_a_transfer_until_the_bureau_releases_it(plan):
    owner, buyer = await holder(plan, 1), await holder(plan, 2)
    right = await add_right(plan, owner, at=BLANK)
    application = await approved(plan, {**MORTGAGE, "right_id": right["id"]}, owner)

    listed = await plan.client.get(
        f"/rights/{right['id']}/mortgages", headers=plan.auth(Role.enterprise, holder_id=owner)
    )
    assert listed.status_code == 200
    [mortgage] = listed.json()["items"]
    assert mortgage["application_id"] == application["id"]
    assert mortgage["amount_yuan"] == "1200000.00"
    assert mortgage["released"] is False
    [(_, key, data)] = await events(plan, "rights.right.mortgaged")
    assert key == right["id"]
    assert data["mortgage_id"] == mortgage["id"]
    assert data["mortgagee"] == "中国农业银行二连浩特市支行"
    assert data["amount_yuan"] == "1200000.00"
    assert data["right_version"] == 2

    refused = await post(
        plan, "/applications", transfer(right["id"], buyer), Role.enterprise, holder_id=owner
    )
    assert refused.status_code == 422
    [violation] = refused.json()["violations"]
    assert violation["code"] == "mortgaged"
    assert violation["clause"] == "第五章第二节"
    assert violation["numbers"]["mortgage_id"] == mortgage["id"]
    assert "中国农业银行二连浩特市支行" in violation["message_zh"]

    release = f"/rights/{right['id']}/mortgages/{mortgage['id']}/release"
    body = {"reason": "借款已清偿，抵押权人出具解除抵押证明"}
    for role, claims in ((Role.enterprise, {"holder_id": owner}), (Role.inspector, {})):
        assert (await post(plan, release, body, role, **claims)).status_code == 403
    assert (await post(plan, release, {"reason": ""})).status_code == 422
    released = await post(plan, release, body)
    assert released.status_code == 200, released.text
    assert released.json()["released"] is True
    assert released.json()["released_by"]
    again = await post(plan, release, body)
    assert again.status_code == 409
    [(_, key, data)] = await events(plan, "rights.mortgage.released")
    assert (key, data["mortgage_id"], data["right_version"]) == (right["id"], mortgage["id"], 3)

    await approved(plan, transfer(right["id"], buyer), owner)
    moved = await plan.client.get(f"/rights/{right['id']}", headers=plan.auth(Role.bureau_admin))
    assert moved.json()["holder_id"] == buyer
    history = (
        await plan.client.get(
            f"/rights/{right['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert [h["action"] for h in history] == [
        "granted",
        "mortgage_filed",
        "mortgage_released",
        "transferred",
    ]


async def test_a_release_names_a_mortgage_of_that_right_and_others_see_nothing(plan):
    owner, other = await holder(plan, 1), await holder(plan, 2)
    right = await add_right(plan, owner, at=BLANK)
    elsewhere = await add_right(plan, other, at=(111.40, 43.72))
    await approved(plan, {**MORTGAGE, "right_id": right["id"]}, owner)
    [mortgage] = (
        await plan.client.get(
            f"/rights/{right['id']}/mortgages", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]

    # another holder's enterprise: the right's mortgages are a 404 like the right
    hidden = await plan.client.get(
        f"/rights/{right['id']}/mortgages", headers=plan.auth(Role.enterprise, holder_id=other)
    )
    assert hidden.status_code == 404
    # the mortgage through another right, or a mortgage that does not exist: 404
    body = {"reason": "解除"}
    wrong = await post(plan, f"/rights/{elsewhere['id']}/mortgages/{mortgage['id']}/release", body)
    assert wrong.status_code == 404
    missing = await post(
        plan, f"/rights/{right['id']}/mortgages/00000000-0000-0000-0000-000000000009/release", body
    )
    assert missing.status_code == 404
    assert await count(plan, "SELECT count(*) FROM mortgages WHERE released_at IS NOT NULL") == 0
    assert await events(plan, "rights.mortgage.released") == []


async def test_two_mortgages_both_block_until_both_are_released(plan):
    owner, buyer = await holder(plan, 1), await holder(plan, 2)
    right = await add_right(plan, owner, at=BLANK)
    await approved(plan, {**MORTGAGE, "right_id": right["id"]}, owner)
    await approved(
        plan, {**MORTGAGE, "right_id": right["id"], "mortgagee": "内蒙古银行二连浩特分行"}, owner
    )
    first, second = (
        await plan.client.get(
            f"/rights/{right['id']}/mortgages", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    check = transfer(right["id"], buyer)
    result = (await post(plan, "/applications/check", check)).json()
    assert [v["code"] for v in result["violations"]] == ["mortgaged", "mortgaged"]
    await post(plan, f"/rights/{right['id']}/mortgages/{first['id']}/release", {"reason": "清偿"})
    result = (await post(plan, "/applications/check", check)).json()
    assert [v["numbers"]["mortgage_id"] for v in result["violations"]] == [second["id"]]
    await post(plan, f"/rights/{right['id']}/mortgages/{second['id']}/release", {"reason": "清偿"})
    assert (await post(plan, "/applications/check", check)).json()["passed"] is True
