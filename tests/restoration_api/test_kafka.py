"""Over the real Kafka broker: a rights.right.granted record, as rights-api's relay puts it on
the topic, opens the fund; the closure acceptance reaches the topic for rights-api to read."""

import uuid

import pytest
from devkit.testing import eventually, running_service
from restoration_api.app import SERVICE
from servicekit.auth import Role

from tests.events.support import data_of, headers_of, produce, read_topic
from tests.restoration_api.support import admin, closure_filed, granted, record_of

pytestmark = pytest.mark.kafka


async def test_a_granted_right_on_the_broker_opens_the_fund_and_the_saga_reaches_rights_api(
    databases, kafka, topic_prefix
):
    url = await databases.create("restoration")
    async with running_service(
        SERVICE, database_url=url, topic_prefix=topic_prefix, kafka_bootstrap_servers=kafka
    ) as restoration:
        payload = granted(reference=True)  # a 专栏一 mine, loaded by rights-api's seed
        right_id = str(payload.right_id)

        async def send(event):
            record = record_of(event, right_id)
            await produce(
                kafka,
                restoration.settings.topic("rights.events"),
                value=record.value,
                key=record.key,
                headers=list(record.headers),
            )

        await send(payload)

        async def fund():
            response = await restoration.client.get(
                "/funds", params={"right_id": right_id}, headers=admin(restoration)
            )
            return response.json()["items"]

        [opened] = await eventually(fund, what="fund opened from the broker")
        assert opened["holder_id"] == str(payload.holder_id)

        application_id = uuid.uuid4()
        await send(closure_filed(payload.right_id, payload.holder_id, application_id))

        async def case():
            response = await restoration.client.get(
                "/closure-cases", params={"right_id": right_id}, headers=admin(restoration)
            )
            return response.json()["items"]

        await eventually(case, what="closure case opened from the broker")
        plan = await restoration.client.post(
            "/plans",
            json={
                "right_id": right_id,
                "kind": "closure",
                "title": "闭坑矿山环境恢复治理方案",
                "estimated_cost": "90000.00",
                "area_ha": "3.86",
                "schedule": [{"year": 2026, "cost": "90000.00", "area_ha": "3.86"}],
            },
            headers=admin(restoration),
        )
        assert plan.status_code == 201, plan.text
        accepted = await restoration.client.post(
            "/acceptances",
            json={"right_id": right_id, "closure": True, "passed": True,
                  "accepted_area_ha": "3.86", "inspected_on": "2026-06-18"},
            headers=restoration.auth(Role.inspector),
        )  # fmt: skip
        assert accepted.status_code == 201, accepted.text

        records = await read_topic(kafka, restoration.settings.topic("restoration.events"), 2)
        by_type = {headers_of(r)["ce_type"]: r for r in records}
        assert set(by_type) == {"restoration.fund.opened", "restoration.acceptance.passed"}
        passed = by_type["restoration.acceptance.passed"]
        assert passed.key.decode() == right_id
        assert headers_of(passed)["ce_subject"] == right_id
        assert data_of(passed)["closure"] is True
        assert data_of(passed)["application_id"] == str(application_id)
        assert data_of(by_type["restoration.fund.opened"])["fund_id"] == opened["id"]
