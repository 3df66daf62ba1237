"""restoration-api with the seed and holder A's mine (granted through the rights event): its
fund with a deposit, an accrual rule set, a restoration plan, the annual obligations, a work,
a closure case, a rectification; a program fund with a legacy site."""

import uuid
from datetime import UTC, datetime

from devkit.testing import RunningService
from restoration_api.boundaries import EXAMPLE as BOUNDARY
from servicekit.seed import seed

from tests.restoration_api.support import RULES_2026, closure_filed, deliver, grant
from tests.security.harness import Call, World
from tests.security.matrix import ENT_A
from tests.security.worlds.common import new_id, shared_calls, shared_params

RULES_2027 = {
    **RULES_2026,
    "code": "nmg-2027",
    "effective_from": "2027-01-01",
    "effective_to": None,
}
TARGETS = {
    "period_from": 2026,
    "period_to": 2030,
    "targets": [
        {
            "indicator": "land_reclaimed_ha",
            "value": "60",
            "unit": "ha",
            "binding": True,
            "clause": "专栏二",
            "name_zh": "矿山土地复垦面积",
        }
    ],
}
PLAN = {
    "kind": "protection_reclamation",
    "title": "乌希根楚二号建筑用花岗岩矿 矿山地质环境保护与土地复垦方案",
    "estimated_cost": "90000.00",
    "area_ha": "3.86",
    "schedule": [{"year": 2026, "cost": "90000.00", "area_ha": "3.86"}],
}


async def build(service: RunningService) -> World:
    await seed(service.runtime.spec, service.runtime.db)
    a, b = new_id(), new_id()
    world = World(service, holder_a=a, holder_b=b)
    admin, owner = world.headers("bureau_admin"), world.headers("enterprise_a")
    client = service.client

    async def post(path: str, body: dict, headers=admin) -> dict:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 201, (path, response.text)
        return response.json()

    fund = await grant(service, holder_id=uuid.UUID(a))
    right = fund["right_id"]
    acceptance = {
        "right_id": right,
        "closure": False,
        "passed": True,
        "accepted_area_ha": "1.2",
        "inspected_on": "2026-06-18",
    }
    deposit = await post(
        f"/funds/{fund['id']}/transfers",
        {"id": new_id(), "kind": "deposit", "amount": "125000.00", "reference": "回单 0012"},
    )
    rules = await post("/accrual-rule-sets", RULES_2026)
    plan = await post("/plans", {**PLAN, "right_id": right}, owner)
    new_year = datetime(2027, 1, 10, tzinfo=UTC)
    assert await service.runtime.run_job("annual_obligations", now=new_year)
    obligations = (await client.get("/obligations", headers=owner)).json()["items"]
    work = await post(
        "/works",
        {
            "right_id": right,
            "name": "乌希根楚二号 采场边坡削坡及覆土绿化",
            "area_ha": "1.2",
            "estimated_cost": "120000.00",
            "year": 2026,
        },
    )
    await deliver(service, closure_filed(uuid.UUID(right), uuid.UUID(a)))
    cases = await client.get("/closure-cases", params={"right_id": right}, headers=admin)
    [case] = cases.json()["items"]
    program = await post("/funds", {"name": "自治区治理专项资金", "source": "region_special_fund"})
    site = await post(
        "/legacy-sites",
        {"code": "LS-T1", "name": "盐池废弃采区", "edition": "2021-2025", "fund_id": program["id"]},
    )
    accepted = await post("/acceptances", acceptance)
    rectification = {"right_id": right, "reason": "2026年度治理任务未完成", "due_on": "2027-03-31"}
    ordered = await post("/rectifications", rectification)

    world.params = {
        **await shared_params(service),
        "fund_id": fund["id"],
        "transfer_id": deposit["id"],
        "rule_set_id": rules["id"],
        "plan_id": plan["id"],
        "obligation_id": obligations[0]["id"],
        "work_id": work["id"],
        "case_id": case["id"],
        "right_id": right,
        "year": "2026",
        "site_id": site["id"],
        "edition": "2021-2025",
        "rectification_id": ordered["id"],
    }
    world.secrets = {
        ENT_A: {fund["id"], deposit["id"], plan["id"], work["id"], case["id"], ordered["id"]}
        | {o["id"] for o in obligations}
        | {right, accepted["id"]}
    }
    world.filters = {"holder_id": a, "right_id": right}
    world.calls = {
        "GET /evaluation-figures": Call(params={"edition": "2021-2025", "as_of": "2023-12-31"}),
        **shared_calls("fund_shortfall"),
        "POST /funds": Call(json={"name": "盟级治理专项资金", "source": "region_special_fund"}),
        "POST /funds/{fund_id}/transfers": lambda _: Call(
            json={"id": new_id(), "kind": "deposit", "amount": "1000.00", "reference": "回单"}
        ),
        "POST /accrual-rule-sets": Call(json=RULES_2027),
        "POST /funds/{fund_id}/accruals": Call(
            json={"year": 2026, "output": "6", "land_type": "grassland", "region": "erenhot"}
        ),
        "POST /plans": Call(json={**PLAN, "right_id": right}),
        "POST /obligations/{obligation_id}/submit": Call(
            json={"document_ref": "2026年度矿山地质环境治理年度报告.pdf"}
        ),
        "POST /works": Call(
            json={
                "right_id": right,
                "name": "乌希根楚二号 排土场覆土绿化",
                "area_ha": "0.8",
                "estimated_cost": "60000.00",
                "year": 2026,
            }
        ),
        "POST /acceptances": Call(json=acceptance),
        "PUT /land-balance/{right_id}/{year}": Call(json={"occupied_ha": "2", "restored_ha": "1"}),
        "POST /legacy-sites": lambda principal: Call(
            json={"code": f"LS-{principal}", "name": "208国道废弃砂场", "edition": "2016-2020"}
        ),
        "PUT /plan-targets/{edition}": Call(path={"edition": "2026-2030"}, json=TARGETS),
        "POST /rectifications": Call(json=rectification),
        "POST /rectifications/{rectification_id}/resolve": Call(
            json={"resolution": "已完成削坡及覆土，复查合格"}
        ),
        "GET /disclosures/export.csv": Call(params={"year": 2026}),
        "PUT /works/{work_id}/boundary": Call(json={"boundary": BOUNDARY}),
        "PUT /legacy-sites/{site_id}/boundary": Call(json={"boundary": BOUNDARY}),
        "GET /legacy-sites.geojson": Call(params={"bbox": "111.9,43.6,112.0,43.7"}),
    }
    return world
