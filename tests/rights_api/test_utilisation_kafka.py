"""Across services over the real Kafka broker: a fluorite report below the plan's 80 % waste-rock
utilisation reaches other systems as `rights.utilisation.flagged` (keyed by the right, with the
holder and the clause), and the bureau's annual reserve verification reaches the notifier as the
bureau's deadline (role bureau_reviewer), overdue, then met, with no notifier code of its own."""

import json

import pytest
from devkit.testing import eventually
from servicekit.auth import Role

from tests.events.support import headers_of, read_topic
from tests.notifier.support import sql
from tests.rights_api.kafka_support import rights_and_notifier
from tests.rights_api.operations_support import make_right
from tests.rights_api.support import load_edition
from tests.rights_api.test_reserve_checks import APRIL, JANUARY, verification
from tests.rights_api.test_utilisation import mine, report

pytestmark = pytest.mark.kafka


async def test_findings_and_the_verification_deadline_cross_the_broker(
    databases, kafka, topic_prefix, tmp_path
):
    async with rights_and_notifier(databases, kafka, topic_prefix, tmp_path) as (rights, notifier):
        await load_edition(rights)
        fluorite = await mine(rights, 1)
        filed = await rights.client.post(
            "/utilisation-reports",
            json=report(fluorite),
            headers=rights.auth(Role.enterprise, holder_id=str(fluorite.holder_id)),
        )
        assert filed.status_code == 201, filed.text

        granite = await make_right(rights, 2)
        # 2025's verification, owed in January 2026 and past its date (31 March) in April; the
        # scheduler may be running a job this very moment (then this run is skipped)
        admin = rights.auth(Role.bureau_admin)

        async def overdue():
            await rights.runtime.run_job("reserve_check_obligations", now=JANUARY)
            await rights.runtime.run_job("reserve_checks_overdue", now=APRIL)
            listed = await rights.client.get(
                "/reserve-checks", params={"right_id": str(granite.id), "year": 2025}, headers=admin
            )
            if not listed.json()["items"]:
                return None
            rows = await sql(
                notifier,
                "SELECT id, kind, role, holder_id, subject, state FROM deadlines WHERE id = :id",
                id=f"rights.reserve_check.{listed.json()['items'][0]['id']}",
            )
            return rows if rows and rows[0].state == "overdue" else None

        [deadline] = await eventually(overdue, timeout=60, what="the overdue verification")
        assert deadline.role == "bureau_reviewer"
        assert deadline.holder_id is None  # the bureau owes it, not the holder

        recorded = await rights.client.post(
            "/reserve-checks",
            json=verification(granite),
            headers=rights.auth(Role.bureau_reviewer),
        )
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["late"] is True

        async def met():
            rows = await sql(notifier, "SELECT state FROM deadlines WHERE id = :id", id=deadline.id)
            return rows if rows and rows[0].state == "met" else None

        await eventually(met, timeout=60, what="the verification's deadline met")

        records = await read_topic(kafka, rights.settings.topic("rights.events"), expected=4)
    [record] = [r for r in records if headers_of(r)["ce_type"] == "rights.utilisation.flagged"]
    assert record.key.decode() == str(fluorite.id)
    assert headers_of(record)["ce_subject"] == str(fluorite.id)
    data = json.loads(record.value)
    assert data["holder_id"] == str(fluorite.holder_id)
    assert data["report_id"] == filed.json()["id"]
    assert [(f["rule"], f["clause"], f["source"]) for f in data["findings"]] == [
        ("waste_rock_utilisation", "第八章第三节", "plan")
    ]
