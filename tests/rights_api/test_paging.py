"""Every collection of rights-api pages: walked two at a time, each item comes exactly once and
in the collection's order. Covers the lists that paged from the start and the two that used to
answer a bare list (`/plan-editions`, `/rights/{id}/history`)."""

from datetime import date

from contracts.mining import RightStatus
from rights_api.rights import service as rights_service
from servicekit.auth import Role

from tests.paging import once_each, walk
from tests.rights_api.support import SCJ001, add_right, holder, load_edition


async def test_plan_editions_page(rights):
    await load_edition(rights)
    admin = rights.auth(Role.bureau_admin)
    current = (await rights.client.get("/plan-editions/current")).json()
    body = {
        k: v for k, v in current.items() if k not in ("id", "version", "created_at", "updated_at")
    }
    for year in (2026, 2031):
        body.update(
            code=f"{year}-{year + 4}",
            title=f"第{year}轮规划（测试）",
            period_start=f"{year}-01-01",
            period_end=f"{year + 4}-12-31",
            effective_from=date(year, 1, 1).isoformat(),
        )
        created = await rights.client.post("/plan-editions", json=body, headers=admin)
        assert created.status_code == 201, created.text
    # POST makes drafts, which bureau staff see and the public does not
    walked = await walk(rights.client, "/plan-editions", headers=admin, limit=2)
    assert len(once_each(walked)) == 3
    assert [e["code"] for e in walked] == ["2021-2025", "2026-2030", "2031-2035"]
    public = await walk(rights.client, "/plan-editions", headers={}, limit=2)
    assert [e["code"] for e in public] == ["2021-2025"]


async def test_a_rights_history_pages(rights):
    owner = await holder(rights, 1)
    right = await add_right(rights, owner, at=SCJ001)
    async with rights.runtime.db.transaction() as session:
        row = await rights_service.get_right(session=session, right_id=right["id"])
        for to in (RightStatus.suspended, RightStatus.producing, RightStatus.closing):
            await rights_service.change_status(
                session=session, right=row, to=to, actor="reviewer-1", reason="test"
            )
    path = f"/rights/{right['id']}/history"
    for headers in (
        rights.auth(Role.bureau_reviewer),
        rights.auth(Role.enterprise, holder_id=owner),
    ):
        walked = await walk(rights.client, path, headers=headers, limit=2)
        assert [(h["action"], h["to_status"]) for h in walked] == [
            ("granted", "producing"),
            ("status_changed", "suspended"),
            ("status_changed", "producing"),
            ("status_changed", "closing"),
        ]
        assert len({(h["at"], h["to_status"]) for h in walked}) == 4


async def test_holders_and_rights_page(rights):
    admin = rights.auth(Role.bureau_admin)
    owners = [await holder(rights, serial) for serial in (1, 2, 3)]
    for serial, owner in enumerate(owners):
        await add_right(rights, owner, at=(SCJ001[0] + serial * 0.01, SCJ001[1]))
    assert once_each(await walk(rights.client, "/holders", headers=admin, limit=2)) == owners
    walked = await walk(rights.client, "/rights", headers=admin, limit=2)
    assert [r["holder_id"] for r in walked] == owners
    assert len(once_each(walked)) == 3
