"""Every ending leads into the closure path, across three real services over the real broker:
the bureau closes one mine by policy and revokes another at rights-api → restoration-api opens
a closure case for each (cause policy_closed / revoked) → closure plan and passed acceptance →
rights-api closes the mines (closed_by_policy / closed) → greenmine-api delists them with an exit
notice and restoration-api closes their funds. And an overdue restoration rectification
suspends a third mine at rights-api until restoration-api reports it met (第六章第二节二)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from devkit.testing import eventually
from greenmine_api.listings.service import list_mine
from mining_rights import MiningRight
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.closure_support import (
    closed_funds,
    closure_cases,
    file_closure_plan,
    pass_closure_acceptance,
)
from tests.rights_api.kafka_support import three_services
from tests.rights_api.support import BLANK, add_right, holder, load_edition

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]
KAFKA = 60


async def test_policy_closure_and_revocation_run_through_acceptance_to_delisted_mines(
    databases, kafka, topic_prefix
):
    async with three_services(databases, kafka, topic_prefix) as (rights, restoration, greenmine):
        await load_edition(rights)
        owner = await holder(rights, 1, "二连浩特市乌希根楚石材有限公司")
        by_policy = await add_right(rights, owner, at=BLANK, status="suspended")
        revoked = await add_right(rights, owner, at=(111.40, 43.72))
        rectified = await add_right(rights, owner, at=(111.50, 43.74))
        bureau = rights.auth(Role.bureau_admin)

        # both mines on the green list (as if listed earlier), once greenmine-api knows them
        async def known():
            async with greenmine.runtime.db.transaction() as session:
                found = [await session.get(MiningRight, r["id"]) for r in (by_policy, revoked)]
            return all(found) and found

        for mine in await eventually(known, timeout=KAFKA, what="greenmine-api learnt the mines"):
            async with greenmine.runtime.db.transaction() as session:
                await list_mine(
                    session=session,
                    right=mine,
                    entry_date=date(2024, 6, 1),
                    today=clock.local_today(),
                    source="reference",
                )

        closing = await rights.client.post(
            f"/rights/{by_policy['id']}/policy-close",
            json={
                "reason": "已停产多年且资源量接近枯竭，根据政策要求退出矿业市场",
                "clause": "第五章第二节",
            },
            headers=bureau,
        )
        assert closing.status_code == 200, closing.text
        assert closing.json()["status"] == "closing"
        ended = await rights.client.post(
            f"/rights/{revoked['id']}/revoke",
            json={"reason": "越界开采经责令停止仍拒不停止，吊销采矿许可证"},
            headers=bureau,
        )
        assert ended.status_code == 200, ended.text
        assert ended.json()["status"] == "revoked"

        for right, cause in ((by_policy, "policy_closed"), (revoked, "revoked")):
            [opened] = await eventually(
                lambda r=right: closure_cases(restoration, r["id"]),
                timeout=KAFKA,
                what=f"closure case ({cause})",
            )
            assert (opened["cause"], opened["application_id"], opened["status"]) == (
                cause,
                None,
                "open",
            )

        for right in (by_policy, revoked):
            # no acceptance before the closure restoration plan (第六章第二节三)
            early = await pass_closure_acceptance(restoration, right["id"])
            assert early.status_code == 409, early.text
            plan = await file_closure_plan(restoration, right["id"])
            assert plan.status_code == 201, plan.text
            # the mine is not closed before its acceptance
            still = (await rights.client.get(f"/rights/{right['id']}", headers=bureau)).json()
            assert still["status"] in ("closing", "revoked")
            listing = await _listing(greenmine, right["id"])
            assert listing["status"] == "listed"
            accepted = await pass_closure_acceptance(restoration, right["id"])
            assert accepted.status_code == 201, accepted.text

        for right, status in ((by_policy, "closed_by_policy"), (revoked, "closed")):

            async def closed(r=right, s=status):
                body = (await rights.client.get(f"/rights/{r['id']}", headers=bureau)).json()
                return body["status"] == s and body

            await eventually(closed, timeout=KAFKA, what=f"rights-api {status}")

            async def delisted(r=right):
                listing = await _listing(greenmine, r["id"])
                return listing["status"] == "delisted" and listing

            gone = await eventually(delisted, timeout=KAFKA, what="greenmine-api delisted it")
            assert gone["exit_notice"]["reason"] == "mine_closed"

            await eventually(
                lambda r=right: closed_funds(restoration, r["id"]),
                timeout=KAFKA,
                what="restoration-api closed the fund",
            )

        # an overdue restoration rectification suspends the third mine until it is met
        due_on = clock.local_today() + timedelta(days=14)
        reviewer = restoration.auth(Role.bureau_reviewer)
        order = await restoration.client.post(
            "/rectifications",
            json={
                "right_id": rectified["id"],
                "reason": "2026年度治理任务未完成：排土场未按方案覆土",
                "due_on": due_on.isoformat(),
            },
            headers=reviewer,
        )
        assert order.status_code == 201, order.text
        day_after = _at(due_on + timedelta(days=1))
        assert await restoration.runtime.run_job("rectification_overdue", now=day_after) == 1

        async def status_is(status):
            body = (await rights.client.get(f"/rights/{rectified['id']}", headers=bureau)).json()
            return body["status"] == status and body

        await eventually(lambda: status_is("suspended"), timeout=KAFKA, what="停产整治")
        met = await restoration.client.post(
            f"/rectifications/{order.json()['id']}/resolve",
            json={"resolution": "已完成覆土及复绿，复查合格"},
            headers=reviewer,
        )
        assert met.status_code == 200, met.text
        await eventually(lambda: status_is("producing"), timeout=KAFKA, what="恢复生产")


async def _listing(greenmine, right_id: str) -> dict:
    items = (await greenmine.client.get("/listings", params={"limit": 100})).json()["items"]
    [mine] = [i for i in items if i["right_id"] == right_id]
    return (await greenmine.client.get(f"/listings/{mine['id']}")).json()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), ZoneInfo("Asia/Shanghai"))
