"""The slice through the backbone over a real Kafka broker: rights-api registers a holder and
publishes rights.holder.registered; the notifier consumes it and records it, exactly once."""

import asyncio
import contextlib

import asyncpg
import pytest
from devkit.testing import eventually
from notifier.journal import service as journal_service
from servicekit.auth import Role
from servicekit.events.relay import Relay
from servicekit.tracing import trace_id

from tests.events.support import (
    data_of,
    headers_of,
    journal,
    produce,
    read_topic,
    register,
    sql,
)

pytestmark = pytest.mark.kafka
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_the_event_arrives_once_as_a_cloudevent_any_kafka_client_reads(kafka_pair, kafka):
    rights, notifier = kafka_pair
    response = await rights.client.post(
        "/holders",
        json={"credit_code": "91110000710925462X", "name": "中国石油天然气股份有限公司"},
        headers={**rights.auth(Role.bureau_admin), "traceparent": TRACEPARENT},
    )
    assert response.status_code == 201
    holder = response.json()

    entries = await eventually(lambda: journal(notifier), what="event in the notifier journal")
    [entry] = entries
    assert entry["type"] == "rights.holder.registered"
    assert entry["source"] == "/services/rights"
    assert entry["data"]["holder_id"] == holder["id"]
    assert trace_id(entry["traceparent"]) == "4bf92f3577b34da6a3ce929d0e0e4736"

    [record] = await read_topic(kafka, rights.settings.topic("rights.events"), expected=1)
    headers = headers_of(record)
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "rights.holder.registered"
    assert headers["ce_source"] == "/services/rights"
    assert headers["ce_id"] == entry["event_id"]
    assert headers["content-type"] == "application/json"
    assert trace_id(headers["ce_traceparent"]) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert record.key.decode() == holder["id"]
    assert data_of(record)["credit_code"] == "91110000710925462X"

    await asyncio.sleep(2)  # time for a second delivery to show up, were there one
    assert len(await journal(notifier)) == 1
    assert await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    metrics = await notifier.metrics()
    lag = [line for line in metrics.splitlines() if line.startswith("consumer_lag{")]
    assert lag, "no consumer_lag samples"
    assert all(line.endswith(" 0.0") for line in lag), lag  # everything consumed


async def test_with_the_broker_down_the_api_answers_and_the_outbox_delivers_later(
    kafka_pair, controlled_kafka
):
    rights, notifier = kafka_pair
    await register(rights, 0)
    await eventually(lambda: journal(notifier), what="first event")

    controlled_kafka.stop()
    try:
        holders = [await register(rights, serial) for serial in range(1, 6)]
        backlog = await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        assert backlog == [(5,)]
        ready = await rights.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"].startswith("down")
        metrics = await rights.metrics()
        assert "outbox_backlog 5.0" in metrics
    finally:
        controlled_kafka.start()

    async def all_arrived():
        entries = await journal(notifier)
        return len(entries) == 6 and entries

    entries = await eventually(all_arrived, timeout=90, what="all six events after the outage")
    assert {e["data"]["holder_id"] for e in entries[1:]} == {h["id"] for h in holders}
    assert await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    assert (await rights.client.get("/readyz")).status_code == 200


async def test_the_same_event_delivered_three_times_has_one_effect(kafka_pair, kafka):
    rights, notifier = kafka_pair
    await register(rights, 7)
    await eventually(lambda: journal(notifier), what="first delivery")
    topic = rights.settings.topic("rights.events")
    [record] = await read_topic(kafka, topic, expected=1)
    for _ in range(2):
        await produce(
            kafka, topic, value=record.value, key=record.key, headers=list(record.headers)
        )
    await eventually(lambda: _consumed(notifier, "duplicate", 2), what="two duplicates seen")
    assert len(await journal(notifier)) == 1
    assert await sql(notifier, "SELECT count(*) FROM inbox") == [(1,)]


async def test_a_relay_killed_before_marking_sent_publishes_again_and_the_inbox_absorbs_it(
    start_pair, kafka
):
    async with start_pair(relay=False) as (rights, notifier):
        await register(rights, 11)

        class KilledAfterPublishing(Relay):
            async def mark_sent(self, conn, ids):
                raise SystemExit("relay process killed")

        dsn = rights.runtime.db.asyncpg_dsn()
        conn = await asyncpg.connect(dsn)
        try:
            with pytest.raises(SystemExit):
                await KilledAfterPublishing(
                    dsn=dsn, broker=rights.runtime.broker, poll_seconds=0.2
                ).publish_pending(conn)
        finally:
            await conn.close()
        assert await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(1,)]

        relay = asyncio.create_task(rights.runtime.relay.run())
        try:
            await eventually(lambda: _consumed(notifier, "duplicate", 1), what="redelivery")
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
        assert len(await read_topic(kafka, rights.settings.topic("rights.events"), 2)) == 2
        assert len(await journal(notifier)) == 1
        assert await sql(rights, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def test_a_failing_handler_dead_letters_the_event_and_the_next_one_flows(
    kafka_pair, kafka, monkeypatch
):
    rights, notifier = kafka_pair
    record = journal_service.record

    async def fails_for_poison(*, session, event):
        if event.data["name"] == "毒丸矿业":
            raise RuntimeError("cannot record this one")
        return await record(session=session, event=event)

    monkeypatch.setattr(journal_service, "record", fails_for_poison)
    poison = await register(rights, 21, name="毒丸矿业")
    healthy = await register(rights, 22)

    entries = await eventually(lambda: journal(notifier), what="the event after the poison one")
    assert [e["data"]["holder_id"] for e in entries] == [healthy["id"]]
    admin = notifier.auth(Role.bureau_admin)

    async def dead_letters():
        return (await notifier.client.get("/admin/dead-letters", headers=admin)).json()["items"]

    [letter] = await eventually(dead_letters, what="the poison event dead-lettered")
    assert letter["event_type"] == "rights.holder.registered"
    assert letter["attempts"] == notifier.settings.consumer_max_attempts
    assert "cannot record this one" in letter["error"]

    [dead] = await read_topic(kafka, notifier.settings.topic("notifier.dlq"), expected=1)
    assert headers_of(dead)["ce_id"] == letter["event_id"]
    assert "cannot record this one" in headers_of(dead)["dlq_error"]
    assert data_of(dead)["holder_id"] == poison["id"]
    assert 'dead_letters_total{consumer="' in await notifier.metrics()

    monkeypatch.setattr(journal_service, "record", record)  # the bug is fixed: replay it
    replay = await notifier.client.post(f"/admin/dead-letters/{letter['id']}/replay", headers=admin)
    assert replay.status_code == 200, replay.text
    assert replay.json()["outcome"] == "applied"
    assert {e["data"]["holder_id"] for e in await journal(notifier)} == {
        poison["id"],
        healthy["id"],
    }
    again = await notifier.client.post(f"/admin/dead-letters/{letter['id']}/replay", headers=admin)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b"{not json", "valid", "data is not JSON"),
        (b"{}", "unknown-type", "UnknownEventType"),
        (b'{"holder_id": "x"}', "valid", "ValidationError"),
        (b"{}", "none", "missing header ce_specversion"),
    ],
)
async def test_a_poison_record_is_dead_lettered_and_the_rest_flows(
    kafka_pair, kafka, value, headers, reason
):
    rights, notifier = kafka_pair
    ce = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"6d1f4c2e-9a43-4a9e-8f59-0d6b2f0c1a11"),
        ("ce_source", b"/services/rights"),
        ("ce_type", b"rights.holder.registered"),
        ("content-type", b"application/json"),
    ]
    chosen = {
        "valid": ce,
        "none": [],
        "unknown-type": [*ce[:3], ("ce_type", b"rights.holder.vanished")],
    }[headers]
    await produce(
        kafka, rights.settings.topic("rights.events"), value=value, key=b"k", headers=chosen
    )
    healthy = await register(rights, 31)
    entries = await eventually(lambda: journal(notifier), what="the event after the poison")
    assert [e["data"]["holder_id"] for e in entries] == [healthy["id"]]  # the rest flows
    [letter] = await eventually(
        lambda: sql(notifier, "SELECT error, value FROM dead_letters"), what="the dead letter"
    )
    assert reason in letter.error
    assert bytes(letter.value) == value


async def _consumed(notifier, outcome: str, count: int) -> bool:
    text = await notifier.metrics()
    return any(
        line.startswith("events_consumed_total")
        and f'outcome="{outcome}"' in line
        and float(line.rsplit(" ", 1)[1]) >= count
        for line in text.splitlines()
    )


async def test_a_poison_record_with_nul_and_stray_bytes_in_key_and_headers_is_dead_lettered(
    kafka_pair, kafka
):
    """PostgreSQL keeps no NUL in text or JSON: the dead letter (and its copy bound for the
    .dlq topic) must still be stored, or the partition would stall behind the record."""
    rights, notifier = kafka_pair
    key = b"\x00\xff-not-text"
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"6d1f4c2e-9a43-4a9e-8f59-0d6b2f0c1a12"),
        ("ce_source", b"/services/rights"),
        ("ce_type", b"rights.holder.\x00vanished\xff"),
        ("x-binary", b"\x00\x01\x02"),
    ]
    await produce(
        kafka, rights.settings.topic("rights.events"), value=b"{}", key=key, headers=headers
    )
    healthy = await register(rights, 32)
    entries = await eventually(lambda: journal(notifier), what="the event after the poison")
    assert [e["data"]["holder_id"] for e in entries] == [healthy["id"]]
    [letter] = await sql(notifier, "SELECT error, key, event_type FROM dead_letters")
    assert letter.error == "InvalidEvent: header ce_type is not UTF-8"
    assert bytes(letter.key) == key
    assert letter.event_type == "rights.holder.\ufffdvanished\ufffd"
