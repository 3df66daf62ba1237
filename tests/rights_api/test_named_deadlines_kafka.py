"""Across services over the real Kafka broker: the plan's named deadlines reach the notifier as
the bureau's deadlines (role bureau_admin) from rights-api's seed and its daily job: set, then
met (盐池北's acceptance in time) or overdue (the others, today), with no notifier code of their
own."""

from datetime import UTC, date, datetime

import pytest
from devkit.testing import eventually
from rights_api.app import SERVICE as RIGHTS
from servicekit import clock

from tests.notifier.support import sql
from tests.rights_api.kafka_support import rights_and_notifier
from tests.rights_api.test_named_deadlines import YANCHIBEI, accepted

pytestmark = pytest.mark.kafka
TODAY = datetime(2026, 12, 6, 4, tzinfo=UTC)


async def test_the_named_deadlines_reach_the_notifier_set_then_met_or_overdue(
    databases, kafka, topic_prefix, tmp_path
):
    async with rights_and_notifier(databases, kafka, topic_prefix, tmp_path) as (rights, notifier):
        with clock.pinned(datetime(2021, 6, 1, 4, tzinfo=UTC)):
            async with rights.runtime.db.transaction() as session:
                await RIGHTS.seed(session)
        edition = (await rights.client.get("/plan-editions/current")).json()

        async def learned(count: int, state: str | None = None):
            rows = await sql(
                notifier,
                "SELECT id, kind, role, due_at, state, last_event_type FROM deadlines "
                "WHERE kind = 'plan_target' ORDER BY id",
            )
            if len(rows) != count or (state and any(r.state == "open" for r in rows)):
                return None
            return rows

        rows = await eventually(lambda: learned(4), timeout=60, what="the named deadlines set")
        prefix = f"rights.named-deadline.{edition['code']}."
        assert {r.id for r in rows} == {
            prefix + "green-mine-standard",
            prefix + "legacy-restoration",
            prefix + "wuxigenchu-closure",
            prefix + "yanchibei-restoration",
        }
        assert {r.role for r in rows} == {"bureau_admin"}
        assert {r.last_event_type for r in rows} == {"rights.named_deadline.changed"}
        due = {r.id.removeprefix(prefix): r.due_at for r in rows}
        assert due["yanchibei-restoration"] == date(2021, 12, 31)
        assert due["green-mine-standard"] == date(2025, 12, 31)

        await accepted(rights, YANCHIBEI, date(2021, 11, 20))
        assert await rights.runtime.run_job("named_deadlines", now=TODAY) == 4

        async def settled():
            rows = await learned(4)
            states = {r.id.removeprefix(prefix): r.state for r in rows or []}
            return (
                states
                if states.get("yanchibei-restoration") == "met"
                and len([s for s in states.values() if s != "open"]) == 4
                else None
            )

        states = await eventually(settled, timeout=60, what="the named deadlines met or overdue")
        assert states == {
            "yanchibei-restoration": "met",
            "wuxigenchu-closure": "overdue",
            "green-mine-standard": "overdue",
            "legacy-restoration": "overdue",
        }
