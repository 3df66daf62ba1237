"""greenmine-api with the seed and holder A's mines at every step of their life: applications
filed, assigned to organisation A, evaluated, in publicity (one running, one past its last
day), listed; a change request, a complaint, a rectification, spot checks and experts."""

import json

from devkit.testing import RunningService
from greenmine_api.standards.schemas import StandardCreate
from servicekit.seed import seed

from tests.greenmine_api.support import (
    ORG,
    OTHER_ORG,
    TEAM,
    apply,
    assign,
    deliver,
    granted,
    listed_mine,
    prerequisites,
    publicity,
    register_org,
    scores,
    submit,
)
from tests.security.harness import Call, World
from tests.security.matrix import ENT_A, EVAL_A
from tests.security.worlds.common import new_id, shared_calls, shared_params


async def build(service: RunningService) -> World:
    await seed(service.runtime.spec, service.runtime.db)
    a, b = new_id(), new_id()
    world = World(service, holder_a=a, holder_b=b, org_a=ORG, org_b=OTHER_ORG)
    admin = world.headers("bureau_admin")
    client = service.client
    await register_org(service, ORG)
    await register_org(service, OTHER_ORG)

    async def mine():
        payload = granted(holder_id=a)
        await deliver(service, payload)
        return payload

    async def post(path: str, body: dict | None = None, headers=admin) -> dict:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    # a listed mine drawn for spot checks: one check with its finding (to publish), one without
    _, checked = await listed_mine(service, await mine())
    for i in range(3):
        await post("/experts", {"name": f"专家{i}", "specialty": "矿山地质环境"})
    draw = {"title": "2026年度绿色矿山双随机抽查", "share": "1", "experts_per_mine": 1}
    to_publish = await post("/spot-checks", draw)
    finding = {"listing_id": checked["id"], "compliant": True, "findings": "符合要求"}
    await post(f"/spot-checks/{to_publish['id']}/findings", finding)
    to_record = await post("/spot-checks", draw)

    # listed mines of A: one to remove, one to leave, one to change, one in rectification
    removed = (await listed_mine(service, await mine()))[1]
    leaving = (await listed_mine(service, await mine()))[1]
    changing = (await listed_mine(service, await mine()))[1]
    rectifying = (await listed_mine(service, await mine()))[1]
    owner = world.headers("enterprise_a")
    change = await post(
        f"/listings/{changing['id']}/change-requests",
        {"changes": {"mine_name": "乌希根楚二号花岗岩矿（更名）"}, "reason": "名称变更"},
        owner,
    )
    complaint = {"listing_id": rectifying["id"], "content": "矿区扬尘严重，未落实洒水降尘"}
    decided = await post("/complaints", complaint, {})
    await post(f"/complaints/{decided['id']}/decision", {"substantiated": True, "note": "属实"})
    pending = await post("/complaints", complaint, {})
    complaint = {"listing_id": checked["id"], "content": "矿区扬尘严重，未落实洒水降尘"}
    [rectification] = [
        r
        for r in (await client.get("/rectifications", headers=admin)).json()["items"]
        if r["listing_id"] == rectifying["id"]
    ]

    # applications of A: filed; assigned to org A; evaluated; in publicity since today; past
    filed = await apply(service, await mine())
    assigned = await apply(service, await mine())
    await assign(service, assigned, ORG)
    evaluated = await apply(service, await mine())
    await assign(service, evaluated, ORG)
    assert (await submit(service, evaluated)).status_code == 201
    running, past = await apply(service, await mine()), await apply(service, await mine())
    for application in (running, past):
        await assign(service, application, ORG)
        assert (await submit(service, application)).status_code == 201
    open_now = await post(f"/applications/{running['id']}/publicity", {})
    ended = await publicity(service, past, "2026-01-05")
    objection = await post(
        f"/publicities/{open_now['id']}/objections", {"content": "该矿排土场未按方案复绿"}, {}
    )

    standard = (await client.get("/standards")).json()["items"][0]
    new_standard = StandardCreate.model_validate(
        (await client.get(f"/standards/{standard['id']}")).json()
        | {"code": "authz-matrix", "is_default": False}
    ).model_dump(mode="json")

    world.params = {
        **await shared_params(service),
        "listing_id": changing["id"],
        "request_id": change["id"],
        "rectification_id": rectification["id"],
        "code": "2021-2025",
        "application_id": past["id"],  # assigned to A's organisation, evaluated, reported
        "publicity_id": open_now["id"],
        "objection_id": objection["id"],
        "standard_id": standard["id"],
        "check_id": to_record["id"],
        "complaint_id": pending["id"],
    }
    assigned_to_a = {assigned["id"], evaluated["id"], running["id"], past["id"]}
    world.secrets = {
        ENT_A: {filed["id"], *assigned_to_a, change["id"], rectification["id"]},
        EVAL_A: assigned_to_a,
    }
    orgs = iter(range(100))
    evaluation = {"scores": scores(), "prerequisites": prerequisites(), "team": TEAM}

    async def fresh_application(_: str) -> Call:
        return Call(json={"right_id": str((await mine()).right_id), "kind": "entry"})

    world.filters = {"holder_id": a, "right_id": str(checked["right_id"]), "org_id": ORG}
    world.calls = {
        "GET /evaluation-figures": Call(params={"edition": "2021-2025", "as_of": "2023-12-31"}),
        **shared_calls("reviews_overdue"),
        "POST /listings/{listing_id}/removal": Call(
            path={"listing_id": removed["id"]},
            json={"reason": "violation", "detail": "2026年10月越界开采被查处"},
        ),
        "POST /listings/{listing_id}/exit": Call(
            path={"listing_id": leaving["id"]}, json={"reason": "企业转型，申请退出绿色矿山名录"}
        ),
        "POST /listings/{listing_id}/change-requests": Call(
            json={"changes": {"holder_name": "二连浩特市先锋建材有限公司"}, "reason": "企业更名"}
        ),
        "POST /change-requests/{request_id}/decision": Call(json={"approve": True, "note": "同意"}),
        "POST /rectifications/{rectification_id}/decision": Call(
            json={"passed": False, "note": "整改不到位"}
        ),
        "PATCH /editions/{code}": Call(
            json={"publicity_workdays": 7}, etag_from="/editions/{code}"
        ),
        "POST /evaluators": lambda _: Call(
            json={
                "id": f"authz-org-{next(orgs)}",
                "name": "内蒙古绿色矿山评估咨询有限公司",
                "credit_code": "91150100MA0N1XQW3K",
            }
        ),
        "POST /applications": fresh_application,
        "POST /applications/{application_id}/assignment": Call(
            path={"application_id": filed["id"]}, json={"org_id": ORG}
        ),
        "POST /applications/{application_id}/evaluation": Call(
            path={"application_id": assigned["id"]},
            data={"evaluation": json.dumps(evaluation)},
            files={"report": ("评估报告.pdf", b"%PDF-1.7 evaluation report", "application/pdf")},
        ),
        "POST /applications/{application_id}/publicity": Call(
            path={"application_id": evaluated["id"]}, json={}
        ),
        "POST /publicities/{publicity_id}/objections": Call(json={"content": "对公示内容有异议"}),
        "POST /objections/{objection_id}/decision": Call(json={"upheld": False, "note": "不成立"}),
        "POST /publicities/{publicity_id}/close": Call(path={"publicity_id": ended["id"]}),
        "POST /standards": Call(json=new_standard),
        "POST /experts": Call(json={"name": "王强", "specialty": "采矿工程"}),
        "POST /spot-checks": Call(json=draw),
        "POST /spot-checks/{check_id}/findings": Call(json=finding),
        "POST /spot-checks/{check_id}/publication": Call(path={"check_id": to_publish["id"]}),
        "POST /complaints": Call(json=complaint),
        "POST /complaints/{complaint_id}/decision": Call(
            json={"substantiated": False, "note": "经核查不属实"}
        ),
    }
    return world
