"""双随机、一公开: the draw is recomputed here from its published seed and inputs with a few
lines of independent code (hashlib only), and experts with a conflict are never drawn."""

import hashlib
import math
import uuid
from decimal import Decimal

from servicekit.auth import Role

from tests.greenmine_api.support import ORG, admin, granted, listed_mine


def recompute(published: dict) -> list[tuple[str, list[str]]]:
    """The published algorithm, written from its description, not from the service's code."""
    seed, inputs = published["seed"], published["inputs"]

    def h(*parts: str) -> str:
        return hashlib.sha256(":".join((seed, *parts)).encode("utf-8")).hexdigest()

    mines = sorted(inputs["mines"], key=lambda m: h(m["right_id"]))
    take = math.ceil(Decimal(inputs["share"]) * len(mines))
    out = []
    for mine in mines[:take]:
        free = [
            e["id"]
            for e in inputs["experts"]
            if mine["holder_id"] not in e["tied_holder_ids"]
            and (mine["evaluator_org_id"] or "") not in e["tied_org_ids"]
        ]
        free.sort(key=lambda e: h(mine["right_id"], e))
        out.append((mine["right_id"], free[: inputs["experts_per_mine"]]))
    return out


async def add_expert(gm, name: str, **ties) -> str:
    response = await gm.client.post(
        "/experts",
        json={"name": name, "specialty": "矿山地质环境", **ties},
        headers=admin(gm),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def pool_and_mines(gm, mines: int = 4, experts: int = 8):
    listed = [
        await listed_mine(gm, granted(mine_name=f"二连浩特市测试花岗岩矿{i}号"))
        for i in range(mines)
    ]
    ids = [await add_expert(gm, f"专家{i}") for i in range(experts)]
    return listed, ids


async def test_a_draw_is_recomputed_from_its_published_seed_by_independent_code(gm):
    listed, _ = await pool_and_mines(gm)
    response = await gm.client.post(
        "/spot-checks",
        json={"title": "2026年度绿色矿山双随机抽查", "share": "0.5", "experts_per_mine": 3},
        headers=gm.auth(Role.bureau_reviewer),
    )
    assert response.status_code == 201, response.text
    check = response.json()
    public = (await gm.client.get(f"/spot-checks/{check['id']}")).json()  # no token: public
    assert public["algorithm"] == "sha256-rank-v1" and len(public["seed"]) == 64
    assert "SHA-256" in public["algorithm_description"]
    assert len(public["inputs"]["mines"]) == 4
    assert [(d["right_id"], d["expert_ids"]) for d in public["draw"]] == recompute(public)
    assert len(public["draw"]) == 2 and all(len(d["expert_ids"]) == 3 for d in public["draw"])
    drawn_right_ids = {d["right_id"] for d in public["draw"]}
    assert drawn_right_ids <= {str(m.right_id) for m, _ in listed}
    assert public["findings"] == []

    # a different seed draws differently (with overwhelming probability for 4 mines × 8 experts)
    seeds = {}
    for seed in ("公开摇号-2026-001", "公开摇号-2026-002"):
        again = await gm.client.post(
            "/spot-checks",
            json={"title": "复算", "share": "0.5", "experts_per_mine": 3, "seed": seed},
            headers=admin(gm),
        )
        assert again.json()["seed"] == seed
        assert [(d["right_id"], d["expert_ids"]) for d in again.json()["draw"]] == recompute(
            again.json()
        )
        seeds[seed] = again.json()["draw"]
    assert seeds["公开摇号-2026-001"] != seeds["公开摇号-2026-002"]


async def test_experts_tied_to_the_holder_or_the_evaluator_are_excluded_before_the_draw(gm):
    [(mine, _)], free = await pool_and_mines(gm, mines=1, experts=2)
    employee = await add_expert(gm, "企业员工", tied_holder_ids=[str(mine.holder_id)])
    evaluator = await add_expert(gm, "评估机构员工", tied_org_ids=[ORG])
    response = await gm.client.post(
        "/spot-checks",
        json={"title": "回避测试", "share": "1", "experts_per_mine": 2},
        headers=admin(gm),
    )
    assert response.status_code == 201, response.text
    [drawn] = response.json()["draw"]
    assert sorted(drawn["expert_ids"]) == sorted(free)
    assert {e["expert_id"]: e["reason"] for e in drawn["excluded"]} == {
        employee: "tied to the mine's holder",
        evaluator: "tied to the mine's evaluator",
    }
    short = await gm.client.post(
        "/spot-checks",
        json={"title": "专家不足", "share": "1", "experts_per_mine": 3},
        headers=admin(gm),
    )
    assert short.status_code == 409  # never fills up with a conflicted expert


async def test_results_are_recorded_then_published_on_the_listing(gm):
    [(_, listing)], _ = await pool_and_mines(gm, mines=1, experts=3)
    check = (
        await gm.client.post(
            "/spot-checks",
            json={"title": "结果公开", "share": "1", "experts_per_mine": 2},
            headers=admin(gm),
        )
    ).json()
    early = await gm.client.post(f"/spot-checks/{check['id']}/publication", headers=admin(gm))
    assert early.status_code == 409
    stray = await gm.client.post(
        f"/spot-checks/{check['id']}/findings",
        json={"listing_id": str(uuid.uuid4()), "compliant": True, "findings": "x"},
        headers=gm.auth(Role.inspector),
    )
    assert stray.status_code == 409
    finding = await gm.client.post(
        f"/spot-checks/{check['id']}/findings",
        json={"listing_id": listing["id"], "compliant": False, "findings": "排土场未复绿"},
        headers=gm.auth(Role.inspector),
    )
    assert finding.status_code == 201
    before = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert before["spot_checks"] == []  # not public until published
    assert before["status"] == "rectifying"  # non-compliance opened a rectification
    published = await gm.client.post(f"/spot-checks/{check['id']}/publication", headers=admin(gm))
    assert published.status_code == 200 and published.json()["status"] == "published"
    after = (await gm.client.get(f"/listings/{listing['id']}")).json()
    [result] = after["spot_checks"]
    assert result["compliant"] is False and result["findings"] == "排土场未复绿"


async def test_only_the_bureau_draws_and_manages_the_pool(gm):
    await listed_mine(gm)
    body = {"title": "x", "share": "1", "experts_per_mine": 1}
    assert (await gm.client.post("/spot-checks", json=body)).status_code == 401
    as_inspector = await gm.client.post("/spot-checks", json=body, headers=gm.auth(Role.inspector))
    assert as_inspector.status_code == 403
    assert (await gm.client.get("/experts")).status_code == 401
