"""GET /green-mine-coverage: every producing mine of the rights read model on the green-mine
path (第二章第三节, 专栏二, 第六章第一节), not only those that applied. With rights-api's reference
data (专栏一's eight mines, two of them 生产矿山) and greenmine's seed list (the oilfield, a green
mine since 2021-03-28): 2 producing, 1 listed, share 0.5 against 100 % by 2025-12-31."""

import uuid

from contracts.rights import RightGranted
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role
from sqlalchemy import text

from tests.greenmine_api.support import apply, deliver, granted

OIL = "内蒙古二连盆地包尔-吉格森油田开采"
ERHAO = "二连浩特市乌希根楚二号建筑用花岗岩矿"
CLAUSE = "第二章第三节, 专栏二; 第六章第一节"


async def reference_grants(rights) -> list[RightGranted]:
    """What rights-api's seed announces: 专栏一's mines as rights.right.granted."""
    async with rights.runtime.db.transaction() as session:
        await RIGHTS.seed(session)
    async with rights.runtime.db.transaction() as session:
        rows = await session.exec(
            text(
                "SELECT convert_from(value, 'UTF8')::jsonb FROM outbox "
                "WHERE type = 'rights.right.granted' ORDER BY id"
            )
        )
        return [RightGranted.model_validate(data) for (data,) in rows]


async def coverage(gm, role=Role.bureau_reviewer):
    response = await gm.client.get("/green-mine-coverage", headers=gm.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_reference_mines_two_producing_one_listed(gm, rights):
    grants = await reference_grants(rights)
    assert len(grants) == 8  # 专栏一
    for grant in grants:
        await deliver(gm, grant)
    body = await coverage(gm)
    assert (body["producing"], body["listed"], body["share"], body["target"]) == (2, 1, 0.5, 1.0)
    assert (body["target_count"], body["due"], body["clause"]) == (4, "2025-12-31", CLAUSE)
    mines = {m["mine_name"]: m for m in body["mines"]}
    assert set(mines) == {OIL, ERHAO}  # the others are closing, suspended, closed or building
    assert (mines[OIL]["state"], mines[OIL]["entry_date"], mines[OIL]["overdue"]) == (
        "listed",
        "2021-03-28",
        False,
    )
    assert (mines[ERHAO]["state"], mines[ERHAO]["due"], mines[ERHAO]["overdue"]) == (
        "owes_standard",
        "2025-12-31",
        True,  # today is after 2025-12-31
    )
    assert mines[ERHAO]["holder_name"] == "二连浩特市先锋水泥制品有限公司"


async def test_a_mine_that_applied_is_applying_and_a_new_producing_one_owes(gm):
    applied = granted(mine_name="二连浩特市忠耐石料场花岗岩矿")
    await deliver(gm, applied)
    application = await apply(gm, applied)
    silent = granted(mine_name="二连浩特市乌敦花建筑用砂矿")
    await deliver(gm, silent)
    body = await coverage(gm)
    assert (body["producing"], body["listed"], body["share"]) == (2, 0, 0.0)
    states = {m["mine_name"]: (m["state"], m["application_id"]) for m in body["mines"]}
    assert states == {
        "二连浩特市忠耐石料场花岗岩矿": ("applying", application["id"]),
        "二连浩特市乌敦花建筑用砂矿": ("owes_standard", None),
    }


async def test_without_producing_mines_the_share_is_null(gm):
    body = await coverage(gm)
    assert (body["producing"], body["listed"], body["share"], body["mines"]) == (0, 0, None, [])


async def test_who_may_read_it(gm):
    for role in (Role.bureau_admin, Role.inspector, Role.gov_system):
        assert (
            await gm.client.get("/green-mine-coverage", headers=gm.auth(role))
        ).status_code == 200
    refused = await gm.client.get(
        "/green-mine-coverage", headers=gm.auth(Role.enterprise, holder_id=str(uuid.uuid4()))
    )
    assert refused.status_code == 403
    assert (await gm.client.get("/green-mine-coverage")).status_code == 401


async def test_without_an_edition_it_is_a_conflict(greenmine):
    response = await greenmine.client.get(
        "/green-mine-coverage", headers=greenmine.auth(Role.bureau_admin)
    )
    assert response.status_code == 409
