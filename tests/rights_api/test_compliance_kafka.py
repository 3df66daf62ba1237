"""Over a real Kafka broker, the service running as deployed (relay and scheduler on): a
compliance order's event reaches `rights.events` as a CloudEvent keyed by the mining right, with
the deadline the notifier needs; the scheduled job's filing obligations arrive too."""

import json

import pytest
from devkit.testing import eventually, running_service
from rights_api.app import SERVICE
from servicekit.auth import Role

from tests.events.support import headers_of, read_topic
from tests.rights_api.operations_support import make_right, scalar
from tests.rights_api.test_compliance import DUE

pytestmark = pytest.mark.kafka


async def test_an_order_reaches_the_broker_with_its_deadline(
    databases, kafka, topic_prefix, tmp_path
):
    url = await databases.create("rights")
    async with running_service(
        SERVICE,
        database_url=url,
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=kafka,
        attachments_dir=tmp_path,
    ) as rights:
        right = await make_right(rights)

        async def obligations_created() -> bool:
            # the scheduler may be running a job this very moment (then this run is skipped)
            await rights.runtime.run_job("filing_obligations")
            await rights.runtime.run_job("reserve_check_obligations")
            filings = await scalar(rights, "SELECT count(*) FROM filings")
            checks = await scalar(rights, "SELECT count(*) FROM reserve_checks")
            return (filings, checks) == (2, 1)

        await eventually(
            obligations_created, what="the working mine's filings and last year's reserve check"
        )
        response = await rights.client.post(
            "/compliance-orders",
            json={
                "right_id": str(right.id),
                "violation": "out_of_bounds_mining",
                "description": "越界开采，限期退回矿区范围内。",
                "due_on": DUE.isoformat(),
            },
            headers=rights.auth(Role.bureau_reviewer),
        )
        assert response.status_code == 201, response.text
        order = response.json()

        records = await read_topic(kafka, rights.settings.topic("rights.events"), expected=4)
    by_type = {}
    for record in records:
        by_type.setdefault(headers_of(record)["ce_type"], []).append(record)
    assert sorted((t, len(r)) for t, r in by_type.items()) == [
        ("rights.compliance.ordered", 1),
        ("rights.filing.required", 2),
        ("rights.reserve_check.required", 1),
    ]
    [record] = by_type["rights.compliance.ordered"]
    headers = headers_of(record)
    assert headers["ce_source"] == "/services/rights"
    assert headers["ce_subject"] == str(right.id)
    assert record.key.decode() == str(right.id)
    data = json.loads(record.value)
    assert data["order_id"] == order["id"]
    assert data["deadline"]["id"] == f"rights.compliance.{order['id']}"
    assert data["deadline"]["due_at"] == DUE.isoformat()
    assert data["deadline"]["audience"]["holder_id"] == str(right.holder_id)
