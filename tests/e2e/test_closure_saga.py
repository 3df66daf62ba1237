"""The reference saga of ARCHITECTURE.md with all four services over the real Kafka broker.

Each service has its own database, relay and consumer group, and they meet only on the topics.
They start from `mineadmin seed` (the eight mines of 专栏一; the PetroChina oilfield has been a
green mine since 2021-03-28), then the oilfield's holder files its closure: restoration-api
opens the closure case, its acceptance releases rights-api's hold, the approval closes the mine,
and every other service follows: the fund closes, the mine leaves the green-mine list with an
exit notice, and the notifier cancels the mine's open deadlines."""

import pytest
from greenmine_api.app import SERVICE as GREENMINE
from notifier.app import SERVICE as NOTIFIER
from restoration_api.app import SERVICE as RESTORATION
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role
from servicekit.seed import seed
from servicekit.testing import eventually, running_service

pytestmark = pytest.mark.kafka

OILFIELD = "内蒙古二连盆地包尔-吉格森油田开采"


async def test_closing_a_seeded_green_mine_reaches_every_service(databases, kafka, topic_prefix):
    common = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}

    async def start(spec):
        return running_service(spec, database_url=await databases.create(spec.name), **common)

    async with (
        await start(RIGHTS) as rights,
        await start(RESTORATION) as restoration,
        await start(GREENMINE) as greenmine,
        await start(NOTIFIER) as notifier,
    ):
        for service in (rights, restoration, greenmine, notifier):
            await seed(service.runtime.spec, service.runtime.db)

        reviewer = rights.auth(Role.bureau_reviewer)
        [oilfield] = (
            await rights.client.get("/rights", params={"mineral": "petroleum"}, headers=reviewer)
        ).json()["items"]
        assert oilfield["mine_name"] == OILFIELD
        right_id, holder_id = oilfield["id"], oilfield["holder_id"]
        staff = restoration.auth(Role.bureau_admin)
        admin = notifier.auth(Role.bureau_admin)

        async def fund():
            response = await restoration.client.get(
                "/funds", params={"right_id": right_id}, headers=staff
            )
            items = response.json()["items"] if response.status_code == 200 else []
            return items[0] if items else None

        async def listing():
            items = (await greenmine.client.get("/listings")).json()["items"]
            return next((i for i in items if i["right_id"] == right_id), None)

        async def deadlines(state: str):
            response = await notifier.client.get(
                "/deadlines", params={"subject": right_id, "state": state}, headers=admin
            )
            return response.json()["items"] if response.status_code == 200 else []

        # the reference grant reached everyone: a fund, the green list, licence and filings
        assert (await eventually(fund, what="the oilfield's fund"))["status"] == "open"
        listed = await eventually(listing, what="the oilfield on the green-mine list")
        assert listed["status"] == "listed" and listed["entry_date"] == "2021-03-28"
        open_before = await eventually(
            lambda: deadlines("open"), what="the oilfield's deadlines at the notifier"
        )
        assert "licence_expiry" in {d["kind"] for d in open_before}

        filed = await rights.client.post(
            "/applications",
            json={
                "kind": "closure",
                "right_id": right_id,
                "reason": "包尔-吉格森油田开采结束，申请闭坑",
                "documents": ["restoration_plan"],
            },
            headers=rights.auth(Role.enterprise, holder_id=holder_id),
        )
        assert filed.status_code == 201, filed.text
        application = filed.json()
        assert application["waiting_for"] is not None

        async def closure_case():
            response = await restoration.client.get(
                "/closure-cases", params={"right_id": right_id}, headers=staff
            )
            return response.status_code == 200 and response.json()

        await eventually(closure_case, what="restoration-api's closure case")
        plan = await restoration.client.post(
            "/plans",
            json={
                "right_id": right_id,
                "kind": "closure",
                "title": "包尔-吉格森油田闭坑地质环境恢复治理方案",
                "estimated_cost": "1200000.00",
                "area_ha": "12.00",
                "schedule": [{"year": 2026, "cost": "1200000.00", "area_ha": "12.00"}],
            },
            headers=staff,
        )
        assert plan.status_code == 201, plan.text
        accepted = await restoration.client.post(
            "/acceptances",
            json={
                "right_id": right_id,
                "closure": True,
                "passed": True,
                "accepted_area_ha": "12.00",
                "inspected_on": "2026-11-20",
            },
            headers=restoration.auth(Role.inspector),
        )
        assert accepted.status_code == 201, accepted.text

        url = f"/applications/{application['id']}"

        async def released():
            body = (await rights.client.get(url, headers=reviewer)).json()
            return body if body["waiting_for"] is None else None

        await eventually(released, what="rights-api released the closure")
        approved = await rights.client.post(
            f"{url}/approve", json={"reason": "闭坑治理恢复已验收"}, headers=reviewer
        )
        assert approved.status_code == 200, approved.text

        async def fund_closed():
            current = await fund()
            return current if current and current["status"] == "closed" else None

        async def delisted():
            current = await listing()
            return current if current and current["status"] == "delisted" else None

        await eventually(fund_closed, what="restoration-api closed the fund")
        gone = await eventually(delisted, what="greenmine-api delisted the mine")
        detail = (await greenmine.client.get(f"/listings/{gone['id']}")).json()
        assert detail["exit_notice"]["reason"] == "mine_closed"
        assert detail["exit_notice"]["number"].startswith("二自然资绿退〔")

        async def none_open():
            return not await deadlines("open")

        await eventually(none_open, what="the notifier cancelled the mine's deadlines")
        cancelled = {d["id"] for d in await deadlines("cancelled")}
        assert {d["id"] for d in open_before} <= cancelled
