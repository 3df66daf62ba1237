"""The integrity record 诚信体系 is built from the events of all three producing services, over
the real broker: an overdue annual filing at rights-api, a restoration rectification ordered and
left overdue at restoration-api, a listing and a removal 除名 at greenmine-api. Each entry points
at the producing service's CloudEvent; the holder reads its own record, another enterprise gets
404, and the database refuses to edit an entry."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from devkit.testing import eventually
from greenmine_api.listings.service import list_mine
from mining_rights import MiningRight
from servicekit import clock
from servicekit.auth import Role
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.rights_api.kafka_support import three_services
from tests.rights_api.support import BLANK, add_right, holder, load_edition

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]
KAFKA = 60
BEIJING = ZoneInfo("Asia/Shanghai")


async def test_the_integrity_record_gains_entries_from_all_three_services(
    databases, kafka, topic_prefix
):
    async with three_services(databases, kafka, topic_prefix) as (rights, restoration, greenmine):
        await load_edition(rights)
        owner = await holder(rights, 1, "二连浩特市乌希根楚石材有限公司")
        neighbour = await holder(rights, 2, "二连浩特市宏远矿业有限公司")
        mine = await add_right(rights, owner, at=BLANK)
        bureau = rights.auth(Role.bureau_admin)

        # rights-api: this year's filings, owed from the grant, go overdue after 31 December
        today = clock.local_today()
        new_year = datetime.combine(date(today.year + 1, 1, 6), time(10), BEIJING)
        assert await rights.runtime.run_job("filings_overdue", now=new_year) >= 1

        # restoration-api: a rectification ordered, then left overdue
        reviewer = restoration.auth(Role.bureau_reviewer)
        due_on = today + timedelta(days=14)

        async def ordered():
            response = await restoration.client.post(
                "/rectifications",
                json={
                    "right_id": mine["id"],
                    "reason": "2026年度治理任务未完成：排土场未按方案覆土",
                    "due_on": due_on.isoformat(),
                },
                headers=reviewer,
            )
            return response.status_code == 201 and response.json()

        await eventually(ordered, timeout=KAFKA, what="restoration-api ordered a rectification")
        day_after = datetime.combine(due_on + timedelta(days=1), time(10), BEIJING)
        assert await restoration.runtime.run_job("rectification_overdue", now=day_after) == 1

        # greenmine-api: the mine on the list (as if listed earlier), then removed for a violation
        async def known():
            async with greenmine.runtime.db.transaction() as session:
                return await session.get(MiningRight, mine["id"])

        right = await eventually(known, timeout=KAFKA, what="greenmine-api learnt the mine")
        async with greenmine.runtime.db.transaction() as session:
            listing = await list_mine(
                session=session,
                right=right,
                entry_date=date(2024, 6, 1),
                today=today,
                source="reference",
            )
            listing_id = listing.id
        removed = await greenmine.client.post(
            f"/listings/{listing_id}/removal",
            json={"reason": "violation", "detail": "越界开采被立案查处"},
            headers=greenmine.auth(Role.bureau_admin),
        )
        assert removed.status_code == 200, removed.text

        wanted = {
            "filing_overdue": ("serious", "第五章第二节", "rights.filing.overdue"),
            "restoration_rectification_ordered": (
                "minor",
                "第六章第二节二",
                "restoration.rectification.ordered",
            ),
            "restoration_rectification_overdue": (
                "serious",
                "第六章第二节二",
                "restoration.rectification.overdue",
            ),
            "green_mine_listed": ("info", "第六章第一节三", "greenmine.mine.listed"),
            "green_mine_removed": ("serious", "第六章第一节四", "greenmine.mine.delisted"),
        }
        mine_owner = rights.auth(Role.enterprise, holder_id=owner)

        async def record():
            response = await rights.client.get(f"/holders/{owner}/integrity", headers=mine_owner)
            assert response.status_code == 200, response.text
            kinds = {e["kind"] for e in response.json()["entries"]}
            return wanted.keys() <= kinds and response.json()

        body = await eventually(record, timeout=KAFKA, what="the integrity record's entries")
        by_kind = {e["kind"]: e for e in body["entries"]}
        for kind, (severity, clause, source_type) in wanted.items():
            entry = by_kind[kind]
            assert (entry["severity"], entry["clause"], entry["source_type"]) == (
                severity,
                clause,
                source_type,
            ), entry
            assert entry["right_id"] == mine["id"]
        # the suspension that followed the overdue rectification adds no second entry
        assert "suspended_by_bureau" not in by_kind
        assert body["grade"]["grade"] == "D"  # three serious entries

        # each entry names the CloudEvent its service published
        for service, kind in (
            (rights, "filing_overdue"),
            (restoration, "restoration_rectification_overdue"),
            (greenmine, "green_mine_removed"),
        ):
            async with service.runtime.db.transaction() as session:
                published = (
                    await session.exec(
                        text("SELECT event_id::text FROM outbox WHERE type = :type").bindparams(
                            type=wanted[kind][2]
                        )
                    )
                ).all()
            assert by_kind[kind]["source_event_id"] in {row[0] for row in published}

        # another enterprise: 404; the bureau sees it; nobody edits it
        other = rights.auth(Role.enterprise, holder_id=neighbour)
        hidden = await rights.client.get(f"/holders/{owner}/integrity", headers=other)
        assert hidden.status_code == 404
        seen = await rights.client.get(f"/holders/{owner}/integrity", headers=bureau)
        assert seen.json()["entries"] == body["entries"]
        with pytest.raises(DBAPIError, match="append-only"):
            async with rights.runtime.db.transaction() as session:
                await session.exec(text("UPDATE integrity_entries SET severity = 'info'"))
        # the removal is on the public 异常名录
        public = (await rights.client.get("/integrity/abnormal", params={"limit": 100})).json()
        assert by_kind["green_mine_removed"]["id"] in {e["entry_id"] for e in public["items"]}
