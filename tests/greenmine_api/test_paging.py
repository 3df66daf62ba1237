"""Every greenmine collection pages: walked two at a time over more rows than a page, each
list gives every row exactly once, with `next`, `next_cursor` and `Link` agreeing."""

from greenmine_api.listings import service as listings
from greenmine_api.rectifications import service as rectifications
from servicekit.clock import local_today

from tests.greenmine_api.support import (
    admin,
    apply,
    assign,
    deliver,
    enterprise,
    granted,
    listed_mine,
    register_org,
    submit,
)
from tests.paging import once_each, walk


async def walked(gm, path: str, headers: dict | None = None, key: str = "id", **filters) -> list:
    items = await walk(gm.client, path, headers=headers or admin(gm), limit=2, **filters)
    return once_each(items, key)


async def test_every_list_walks_page_by_page(gm):
    holder = None
    mines = []
    for i in range(3):
        mine, listing = await listed_mine(
            gm, granted(mine_name=f"二连浩特市分页花岗岩矿{i}号", holder_id=holder)
        )
        holder = mine.holder_id
        mines.append(listing)
    ids = {listing["id"] for listing in mines}
    assert set(await walked(gm, "/listings")) == ids
    # three entry publicities (passed) and three applications (approved)
    assert len(await walked(gm, "/publicities")) == 3
    assert len(await walked(gm, "/applications")) == 3

    for name in ("beijing-kuangye-pinggu", "hohhot-lvse-pinggu"):
        await register_org(gm, name)
    assert len(await walked(gm, "/evaluators")) == 3

    form = (await gm.client.get("/standards")).json()["items"][0]
    for code in ("paging-a", "paging-b"):
        body = {k: form[k] for k in ("title", "source", "total_points", "pass_total")}
        body |= {
            "code": code,
            "category_min_ratio": "0.75",
            "categories": form["categories"],
            "prerequisites": form["prerequisites"],
        }
        created = await gm.client.post("/standards", json=body, headers=admin(gm))
        assert created.status_code == 201, created.text
    assert len(await walked(gm, "/standards")) == 3

    for i in range(3):
        expert = {"name": f"专家{i}", "specialty": "矿山地质环境"}
        assert (await gm.client.post("/experts", json=expert, headers=admin(gm))).is_success
    assert len(await walked(gm, "/experts")) == 3
    draw = {"title": "2026年度绿色矿山双随机抽查", "share": "0.3", "experts_per_mine": 1}
    for _ in range(3):
        assert (await gm.client.post("/spot-checks", json=draw, headers=admin(gm))).is_success
    assert len(await walked(gm, "/spot-checks")) == 3

    owner = enterprise(gm, holder)
    for listing in mines:
        body = {"changes": {"contact_phone": "0479-7519999"}, "reason": "联系电话变更"}
        path = f"/listings/{listing['id']}/change-requests"
        assert (await gm.client.post(path, json=body, headers=owner)).status_code == 201
    assert len(await walked(gm, "/change-requests")) == 3
    assert len(await walked(gm, "/change-requests", headers=owner)) == 3

    async with gm.runtime.db.transaction() as session:
        for listing in mines:
            row = await listings.get(session, listing["id"], for_update=True)
            await rectifications.order(
                session=session, listing=row, reason="complaint", today=local_today()
            )
    assert len(await walked(gm, "/rectifications")) == 3
    assert len(await walked(gm, "/rectifications", headers=owner, status="open")) == 3

    # a publicity open today with three objections
    mine = granted(mine_name="二连浩特市分页异议花岗岩矿", holder_id=holder)
    await deliver(gm, mine)
    application = await apply(gm, mine)
    await assign(gm, application)
    assert (await submit(gm, application)).status_code == 201
    opened = await gm.client.post(
        f"/applications/{application['id']}/publicity", json={}, headers=admin(gm)
    )
    assert opened.status_code == 201, opened.text
    path = f"/publicities/{opened.json()['id']}/objections"
    for i in range(3):
        objection = {"content": f"该矿排土场未按方案复绿（{i}）"}
        assert (await gm.client.post(path, json=objection)).status_code == 201
    assert len(await walked(gm, path)) == 3
