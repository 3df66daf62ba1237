"""Several replicas and crashes: each alert is created and sent once; nothing is lost."""

import asyncio
from datetime import timedelta

import pytest
from contracts.rights import FilingRequired
from notifier.alerts import service as alerts_service
from notifier.alerts.service import sweep as sweep_now
from notifier.delivery.channels import Channels
from notifier.delivery.service import claim

from tests.notifier.support import (
    HOLDER,
    RIGHT,
    WebhookReceiver,
    alerts,
    consume,
    deadline,
    serving,
    sql,
    subscribe,
    sweep,
)
from tests.notifier.test_deadlines import FILING
from tests.notifier.test_delivery import DUE, FIRST, attempts, deliver


def filings(n: int) -> list[FilingRequired]:
    return [
        FilingRequired(
            filing_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            kind="annual_mining_plan",
            year=2027,
            deadline=deadline(f"filing:{i:04}", due=DUE),
        )
        for i in range(n)
    ]


async def sweep_until_done(instance) -> int:
    """The sweep function itself, looped, without the job's advisory lock: replicas racing."""
    total = 0
    while True:
        async with instance.runtime.db.transaction() as session:
            handled = await sweep_now(session, FIRST)
        if not handled:
            return total
        total += handled


async def deliver_until_done(instance, worker: str) -> int:
    total = 0
    while handled := await deliver(instance, FIRST, worker=worker):
        total += handled
    return total


async def test_two_instances_sweeping_and_delivering_together_send_each_alert_once(
    databases, start_notifier
):
    url = await databases.create("notifier")
    receiver = WebhookReceiver()
    settings = {"sweep_batch": 25, "delivery_batch": 10}
    async with (
        serving(receiver.app()) as base,
        start_notifier(url, **settings) as a,
        start_notifier(url, **settings) as b,
    ):
        await subscribe(a, channel="webhook", url=f"{base}/hook")
        await subscribe(b, channel="inbox", holder_id=HOLDER, inbox_user="inspector-wang")
        await consume(a, *filings(200))

        # while a holds its claim open, b sweeps: it skips a's rows and takes the next ones
        async with a.runtime.db.transaction() as session_a:
            assert await sweep_now(session_a, FIRST) == 25
            async with b.runtime.db.transaction() as session_b:
                assert await sweep_now(session_b, FIRST) == 25
        swept = await asyncio.gather(sweep_until_done(a), sweep_until_done(b))
        assert sum(swept) == 150
        # the job itself, run on both at once, finds nothing left (and never doubles)
        assert set(await asyncio.gather(sweep(a, FIRST), sweep(b, FIRST))) <= {0, None}

        rows = await sql(
            a,
            "SELECT channel, count(*), count(DISTINCT deadline_id) FROM alerts "
            "GROUP BY channel ORDER BY channel",
        )
        assert rows == [("inbox", 200, 200), ("webhook", 200, 200)]

        sent = await asyncio.gather(deliver_until_done(a, "a"), deliver_until_done(b, "b"))
        assert sum(sent) == 200
    assert len(receiver.received) == 200
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 200
    log = await sql(a, "SELECT outcome, count(*) FROM delivery_attempts GROUP BY outcome")
    assert log == [("delivered", 200)]


async def test_a_crash_mid_sweep_loses_nothing_and_repeats_nothing(
    databases, start_notifier, monkeypatch
):
    url = await databases.create("notifier")
    async with start_notifier(url) as first:
        await subscribe(first, channel="inbox", holder_id=HOLDER, inbox_user="inspector-wang")
        await consume(first, *filings(100))
        real_render, calls = alerts_service.render, []

        def dies_on_the_60th(**kwargs):
            calls.append(1)
            if len(calls) == 60:
                raise RuntimeError("process killed mid-sweep")
            return real_render(**kwargs)

        monkeypatch.setattr(alerts_service, "render", dies_on_the_60th)
        with pytest.raises(RuntimeError, match="killed"):
            await sweep(first, FIRST)
        assert await sql(first, "SELECT count(*) FROM alerts") == [(0,)]
        assert await sql(first, "SELECT next_step, count(*) FROM deadlines GROUP BY 1") == [
            ("reminder-30", 100)
        ]
        monkeypatch.setattr(alerts_service, "render", real_render)

    async with start_notifier(url) as restarted:
        assert await sweep(restarted, FIRST) == 100
        assert await sweep(restarted, FIRST) == 0
        assert await sql(restarted, "SELECT count(*), count(DISTINCT deadline_id) FROM alerts") == [
            (100, 100)
        ]


async def test_a_worker_dying_after_its_claim_is_taken_over_after_the_lease(
    databases, start_notifier
):
    url = await databases.create("notifier")
    receiver = WebhookReceiver()
    async with serving(receiver.app()) as base:
        async with start_notifier(url, delivery_lease_seconds=300) as first:
            await subscribe(first, channel="webhook", url=f"{base}/hook")
            await consume(first, *filings(1))
            await sweep(first, FIRST)
            [parcel] = await claim(
                db=first.runtime.db, settings=first.settings, now=FIRST, worker="first"
            )
            # the process dies here, before sending anything

        async with start_notifier(url, delivery_lease_seconds=300) as second:
            assert await deliver(second, FIRST + timedelta(seconds=10)) == 0  # lease holds
            assert await deliver(second, FIRST + timedelta(seconds=301)) == 1
            [alert] = await alerts(second)
            assert alert["status"] == "delivered"
            log = await attempts(second, alert["id"])
            assert [(a["worker"], a["outcome"]) for a in log] == [
                ("first", "interrupted"),
                ("test-worker", "delivered"),
            ]
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["webhook-id"] == f"alert_{parcel.alert_id}"


async def test_a_worker_dying_between_sending_and_recording_repeats_with_the_same_id(
    databases, start_notifier
):
    """The one repeat a crash can cause: the receiver got it, we never recorded it. The
    repeat carries the same webhook-id, which Standard Webhooks receivers deduplicate on."""
    url = await databases.create("notifier")
    receiver = WebhookReceiver()
    async with serving(receiver.app()) as base, start_notifier(url) as notifier:
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await consume(notifier, *filings(1))
        await sweep(notifier, FIRST)
        [parcel] = await claim(
            db=notifier.runtime.db, settings=notifier.settings, now=FIRST, worker="first"
        )
        channels = Channels(notifier.settings)
        assert (await channels.send(parcel)).result == "delivered"
        await channels.close()  # ...and the process dies before recording it
        later = FIRST + timedelta(seconds=notifier.settings.delivery_lease_seconds + 1)
        assert await deliver(notifier, later) == 1
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids == [f"alert_{parcel.alert_id}"] * 2
