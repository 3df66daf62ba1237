"""Deadline events from each producing service, over the real Kafka broker, become reminders
at the right times; a mine's closure cancels its deadlines."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from contracts.greenmine import ReviewDue
from contracts.restoration import ObligationDue
from contracts.rights import FilingRequired, MineClosed, RightGranted
from devkit.testing import eventually
from notifier.deadlines.models import SHANGHAI

from tests.events.support import produce
from tests.notifier.support import (
    HOLDER,
    RIGHT,
    WebhookReceiver,
    alerts,
    deadline,
    event_of,
    serving,
    sql,
    subscribe,
    sweep,
)
from tests.notifier.test_deadlines import FILING, at

pytestmark = pytest.mark.kafka
LISTING = UUID("0c0ffee0-0000-4000-8000-0000000000aa")


async def publish(kafka: str, prefix: str, payload) -> None:
    event = event_of(payload)
    await produce(
        kafka,
        prefix + payload.topic,
        value=event.value(),
        key=RIGHT.encode(),
        headers=[(k, v.encode()) for k, v in event.headers()],
    )


async def test_deadline_events_from_every_service_over_kafka_become_reminders(
    start_notifier, kafka, topic_prefix
):
    async with start_notifier(
        background=True, kafka_bootstrap_servers=kafka, topic_prefix=topic_prefix
    ) as notifier:
        await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="inspector-wang")
        owned = dict(right_id=RIGHT, holder_id=HOLDER)
        events = [
            FilingRequired(
                filing_id=FILING,
                **owned,
                kind="annual_mining_plan",
                year=2027,
                deadline=deadline("rights:filing", due=date(2027, 3, 31)),
            ),
            ObligationDue(
                obligation_id=FILING,
                **owned,
                kind="annual_restoration_report",
                year=2026,
                deadline=deadline(
                    "restoration:report", due=date(2027, 3, 31), kind="annual_restoration_report"
                ),
            ),
            ReviewDue(
                listing_id=LISTING,
                **owned,
                review_due=date(2027, 10, 29),
                deadline=deadline(
                    "greenmine:review", due=date(2027, 4, 30), kind="green_mine_review"
                ),
            ),
            RightGranted(
                **owned,
                licence_no="C1500002009062120023456",
                kind="mining",
                mine_name="二连浩特市乌希根楚二号建筑用花岗岩矿",
                mineral="construction_granite",
                area_km2="0.0386",
                status="producing",
                licensing_level="city",
                valid_from=date(2022, 6, 30),
                valid_to=date(2027, 6, 30),
                granted_at=datetime(2022, 6, 30, tzinfo=UTC),
            ),
        ]
        for payload in events:
            await publish(kafka, topic_prefix, payload)

        async def learned():
            rows = await sql(notifier, "SELECT id, next_fire_at FROM deadlines ORDER BY id")
            return len(rows) == 4 and dict(rows)

        fire = await eventually(learned, timeout=60, what="four deadlines from three services")
        assert fire == {
            "rights:filing": at(date(2027, 3, 1)),  # Monday
            "restoration:report": at(date(2027, 3, 1)),
            "greenmine:review": at(date(2027, 3, 31)),  # 30 days before 04-30
            f"licence-expiry:{RIGHT}": at(date(2027, 5, 31)),
        }
        assert await sweep(notifier, at(date(2027, 3, 1))) == 2
        assert {a["deadline_id"] for a in await alerts(notifier)} == {
            "rights:filing",
            "restoration:report",
        }

        await publish(
            kafka,
            topic_prefix,
            MineClosed(
                **owned,
                licence_no="C1500002009062120023456",
                status="closed",
                closed_at=datetime(2027, 3, 2, tzinfo=UTC),
            ),
        )

        async def cancelled():
            rows = await sql(notifier, "SELECT DISTINCT state FROM deadlines")
            return rows == [("cancelled",)]

        await eventually(cancelled, timeout=60, what="closure cancelling the mine's deadlines")
        assert await sweep(notifier, at(date(2027, 6, 29))) == 0


async def test_the_deployed_shape_delivers_from_its_background_worker(
    start_notifier, kafka, topic_prefix
):
    receiver = WebhookReceiver()
    async with (
        serving(receiver.app()) as base,
        start_notifier(
            background=True,
            kafka_bootstrap_servers=kafka,
            topic_prefix=topic_prefix,
            delivery_poll_seconds=0.2,
        ) as notifier,
    ):
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        due = datetime.now(SHANGHAI).date() + timedelta(days=3)
        await publish(
            kafka,
            topic_prefix,
            FilingRequired(
                filing_id=FILING,
                right_id=RIGHT,
                holder_id=HOLDER,
                kind="annual_mining_plan",
                year=2027,
                deadline=deadline("rights:soon", due=due),
            ),
        )

        async def learned():
            return await sql(notifier, "SELECT id FROM deadlines")

        await eventually(learned, timeout=60, what="the deadline over Kafka")
        # the real clock; the job's own loop may have got there first, never both
        await notifier.runtime.run_job("reminder-sweep")

        async def delivered():
            return receiver.received

        await eventually(delivered, timeout=30, what="the background worker's delivery")
        [alert] = await alerts(notifier)
        assert alert["status"] == "delivered"
