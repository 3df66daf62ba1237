"""Over a real Kafka broker, rights-api and the notifier running as deployed: a sale recorded
after the fact registers the right, and each instalment of the grant proceeds reaches the
notifier as a deadline for the winner (with the licence expiry it learns from the grant)."""

from datetime import date

import pytest
from devkit.testing import eventually, running_service
from notifier.app import SERVICE as NOTIFIER
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role
from sqlalchemy import text

from tests.notifier.conftest import TEST_SETTINGS
from tests.rights_api.offerings_support import offered
from tests.rights_api.support import holder, load_edition

pytestmark = pytest.mark.kafka


async def test_the_instalments_of_an_award_reach_the_notifier(databases, kafka, topic_prefix):
    settings = {"topic_prefix": topic_prefix, "kafka_bootstrap_servers": kafka}
    rights_url, notifier_url = await databases.create("rights"), await databases.create("notifier")
    async with (
        running_service(RIGHTS, database_url=rights_url, **settings) as rights,
        running_service(
            NOTIFIER, database_url=notifier_url, **TEST_SETTINGS, **settings
        ) as notifier,
    ):
        await load_edition(rights)
        winner = await holder(rights, 1, name="二连浩特市宏达砂石有限公司")
        offering = await offered(rights, "KQ-01", reserve_price_yuan="1000000.00")
        recorded = await rights.client.post(
            f"/grant-offerings/{offering['id']}/result",
            json={
                "holder_id": winner,
                "price_yuan": "1000000.00",
                "decided_on": "2026-10-30",
                "reference": "EHPRC-KC-2026-017",
                "notice_from": "2026-09-14",
            },
            headers=rights.auth(Role.bureau_admin),
        )
        assert recorded.status_code == 200, recorded.text
        result = recorded.json()

        async def learned():
            async with notifier.runtime.db.transaction() as session:
                rows = (
                    await session.exec(
                        text(
                            "SELECT id, kind, due_at, subject, holder_id FROM deadlines "
                            "WHERE kind = 'grant_proceeds' ORDER BY due_at"
                        )
                    )
                ).all()
            return len(rows) == 5 and rows

        rows = await eventually(learned, timeout=90, what="five instalment deadlines")
    assert [r.id for r in rows] == [
        f"rights.grant.{result['id']}.instalment.{n}" for n in range(1, 6)
    ]
    assert {r.subject for r in rows} == {result["right_id"]}
    assert {str(r.holder_id) for r in rows} == {winner}
    assert rows[0].due_at == date(2026, 11, 30)  # 30 days after the sale, a Monday
    assert [i["due_on"] for i in result["contract"]["instalments"]] == [
        r.due_at.isoformat() for r in rows
    ]
