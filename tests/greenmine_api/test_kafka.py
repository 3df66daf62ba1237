"""Over a real Kafka broker: rights-api's relay publishes rights.right.granted, then
rights.mine.closed and rights.right.transferred; greenmine-api's consumer delists both mines
with exit notices, and its own relay publishes greenmine.mine.listed and .delisted."""

import uuid
from datetime import UTC, datetime

import pytest
from contracts.rights import MineClosed, RightTransferred
from devkit.testing import eventually, running_service
from greenmine_api.app import SERVICE as GREENMINE
from greenmine_api.editions.models import Edition
from greenmine_api.seed import seed
from rights_api.app import SERVICE as RIGHTS
from servicekit.events.outbox import publish

from tests.events.support import data_of, read_topic
from tests.greenmine_api.support import granted

pytestmark = pytest.mark.kafka


async def test_a_real_mine_closed_and_a_transfer_delist_through_kafka(
    databases, kafka, topic_prefix
):
    rights_url, greenmine_url = (
        await databases.create("rights"),
        await databases.create("greenmine"),
    )
    common = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}
    async with (
        running_service(RIGHTS, database_url=rights_url, **common) as rights,
        running_service(GREENMINE, database_url=greenmine_url, **common) as greenmine,
    ):
        async with greenmine.runtime.db.transaction() as session:
            await seed(session)
        oilfield = granted(
            mine_name="内蒙古二连盆地包尔-吉格森油田开采",
            holder_name="中国石油天然气股份有限公司",
            reference=True,
        )
        # a second listed mine for the transfer: a reference entry added for this test
        quarry = granted(mine_name="内蒙古二连盆地包尔-吉格森油田开采（南区）", reference=True)
        async with greenmine.runtime.db.transaction() as session:
            edition = await session.get(Edition, "2021-2025")
            edition.reference_listings = [
                *edition.reference_listings,
                {"mine_name": quarry.mine_name, "entry_date": "2022-06-30", "source": "test"},
            ]
            session.add(edition)
        async with rights.runtime.db.transaction() as session:
            for grant in (oilfield, quarry):
                await publish(session, grant, subject=str(grant.right_id))

        async def listed():
            items = (await greenmine.client.get("/listings", params={"status": "listed"})).json()
            return len(items["items"]) == 2 and items["items"]

        await eventually(listed, what="both reference mines listed from rights' events")

        async with rights.runtime.db.transaction() as session:
            await publish(
                session,
                MineClosed(
                    right_id=oilfield.right_id,
                    holder_id=oilfield.holder_id,
                    licence_no=oilfield.licence_no,
                    status="closed",
                    closed_at=datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
                ),
                subject=str(oilfield.right_id),
            )
            await publish(
                session,
                RightTransferred(
                    right_id=quarry.right_id,
                    licence_no=quarry.licence_no,
                    from_holder_id=quarry.holder_id,
                    to_holder_id=uuid.uuid4(),
                    transferred_at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC),
                ),
                subject=str(quarry.right_id),
            )

        async def delisted():
            items = (await greenmine.client.get("/listings", params={"status": "delisted"})).json()
            return len(items["items"]) == 2 and items["items"]

        gone = {i["right_id"]: i for i in await eventually(delisted, what="both mines delisted")}
        closed = (
            await greenmine.client.get(f"/listings/{gone[str(oilfield.right_id)]['id']}")
        ).json()
        assert closed["exit_notice"]["reason"] == "mine_closed"
        assert closed["delisted_on"] == "2026-11-26"
        sold = (await greenmine.client.get(f"/listings/{gone[str(quarry.right_id)]['id']}")).json()
        assert sold["exit_notice"]["reason"] == "transferred"
        assert {closed["exit_notice"]["number"], sold["exit_notice"]["number"]} == {
            "二自然资绿退〔2026〕1号",
            "二自然资绿退〔2026〕2号",
        }

        # greenmine-api's own events reach the broker for every other system to read
        records = await read_topic(kafka, greenmine.settings.topic("greenmine.events"), expected=6)
        by_type = {}
        for r in records:
            by_type.setdefault(dict(r.headers)["ce_type"].decode(), []).append(data_of(r))
        assert len(by_type["greenmine.mine.listed"]) == 2
        delisted_events = by_type["greenmine.mine.delisted"]
        assert {e["reason"] for e in delisted_events} == {"mine_closed", "transferred"}
        assert {r.key.decode() for r in records} == {str(oilfield.right_id), str(quarry.right_id)}
