"""The closure saga over the real broker: restoration-api's restoration.acceptance.passed,
published on restoration.events by a plain Kafka producer, releases the held closure; the
approval then goes out on rights.events as rights.mine.closed."""

import pytest
from devkit.testing import eventually, running_service
from rights_api.app import SERVICE
from servicekit.auth import Role

from tests.events.support import data_of, headers_of, produce, read_topic
from tests.rights_api.support import BLANK, acceptance_passed, add_right, holder, load_edition

pytestmark = pytest.mark.kafka


async def test_a_restoration_acceptance_through_kafka_releases_the_closure(
    databases, kafka, topic_prefix
):
    url = await databases.create("rights")
    async with running_service(
        SERVICE, database_url=url, topic_prefix=topic_prefix, kafka_bootstrap_servers=kafka
    ) as rights:
        await load_edition(rights)
        owner = await holder(rights, 1, "二连市北山石料厂")
        right = await add_right(rights, owner, at=BLANK, status="suspended")
        response = await rights.client.post(
            "/applications",
            json={
                "kind": "closure",
                "right_id": right["id"],
                "reason": "乌希根楚北山建筑用花岗岩矿停产，办理闭坑手续",
                "documents": ["restoration_plan"],
            },
            headers=rights.auth(Role.enterprise, holder_id=owner),
        )
        assert response.status_code == 201, response.text
        application = response.json()
        url = f"/applications/{application['id']}"
        reviewer = rights.auth(Role.bureau_reviewer)

        payload, event, _ = acceptance_passed(right["id"], application_id=application["id"])
        await produce(
            kafka,
            f"{topic_prefix}restoration.events",
            value=event.value(),
            key=right["id"].encode(),
            headers=[(k, v.encode()) for k, v in event.headers()],
        )

        async def released():
            body = (await rights.client.get(url, headers=reviewer)).json()
            return body if body["waiting_for"] is None else None

        body = await eventually(released, what="closure released by the Kafka event")
        assert body["restoration_acceptance"]["acceptance_id"] == str(payload.acceptance_id)

        approved = await rights.client.post(
            f"{url}/approve", json={"reason": "闭坑治理恢复已验收"}, headers=reviewer
        )
        assert approved.status_code == 200, approved.text

        records = await read_topic(kafka, f"{topic_prefix}rights.events", expected=5)
        types = [headers_of(r)["ce_type"] for r in records]
        assert "rights.application.filed" in types
        [closed] = [r for r in records if headers_of(r)["ce_type"] == "rights.mine.closed"]
        assert closed.key.decode() == right["id"]
        assert data_of(closed)["status"] == "closed"
