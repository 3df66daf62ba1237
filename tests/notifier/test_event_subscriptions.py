"""Event subscriptions for government systems and the pollable feed, without Kafka: events go
in through the notifier's consumer, deliveries out through its delivery code to a real HTTP
endpoint that verifies each signature (`standardwebhooks`) and parses each CloudEvent (the
`cloudevents` SDK)."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from contracts import EventPayload, registry
from notifier.delivery.channels import Channels
from notifier.delivery.events import deliver_events_due
from notifier.feed.cursor import START
from notifier.journal import service as journal
from servicekit import clock
from servicekit.auth import Role

from tests.notifier.event_support import (
    CONTACT,
    OTHER_GOV,
    SANHAO,
    WUXIGEN,
    GovernmentEndpoint,
    closed,
    feed,
    gov,
    granted,
    registered,
    subscribe_events,
)
from tests.notifier.support import HOLDER, OTHER_HOLDER, event_of, record_of, serving, sql

COMMITTED_ASYNCAPI = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
TYPES = ["rights.right.granted", "rights.mine.closed", "rights.holder.registered"]


async def consume(notifier, *payloads: EventPayload) -> None:
    consumer = notifier.runtime.consumers["notifier"]
    for payload in payloads:
        subject = str(getattr(payload, "right_id", "")) or None
        outcome = await consumer.process(record_of(payload, subject=subject))
        assert outcome.status == "applied", outcome


async def deliver(notifier, *, later: float = 0) -> int:
    channels = Channels(notifier.settings)
    try:
        return await deliver_events_due(
            db=notifier.runtime.db,
            settings=notifier.settings,
            channels=channels,
            now=clock.now() + timedelta(seconds=later),
        )
    finally:
        await channels.close()


async def test_a_government_system_receives_signed_cloudevents_in_order_per_mine(notifier):
    endpoint = GovernmentEndpoint(statuses=[503])  # the first attempt fails
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        endpoint.secret = made["secret"]
        assert made["secret"].startswith("whsec_") and not made["personal_data"]
        await consume(notifier, granted(WUXIGEN), closed(WUXIGEN), granted(SANHAO))

        # round 1: one event per mine leaves; 乌希根楚's grant fails, so its closure waits
        assert await deliver(notifier) == 2
        assert endpoint.seen() == [("rights.right.granted", SANHAO)]
        assert await deliver(notifier) == 0  # nothing due: the grant waits for its backoff
        # the retry is due after the backoff (base 60 s, with jitter: at most 60 s)
        assert await deliver(notifier, later=61) == 1
        assert await deliver(notifier, later=61) == 1
        assert endpoint.seen() == [
            ("rights.right.granted", SANHAO),
            ("rights.right.granted", WUXIGEN),
            ("rights.mine.closed", WUXIGEN),
        ]
    assert endpoint.refused == []
    first = endpoint.events[1]
    assert first.data["right_id"] == WUXIGEN and first.data["mineral"] == "construction_granite"
    # webhook-id is the CloudEvent id: stable across retries, for the receiver to drop repeats
    ids = await sql(notifier, "SELECT event_id::text FROM received_events ORDER BY id")
    assert {e.webhook_id for e in endpoint.events} == {i for (i,) in ids}
    rows = await sql(notifier, "SELECT status, attempts FROM event_deliveries ORDER BY position")
    assert rows == [("delivered", 2), ("delivered", 1), ("delivered", 1)]


async def test_filters_apply_where_the_event_carries_the_field(notifier):
    endpoint = GovernmentEndpoint()
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(
            notifier,
            gov(notifier),
            url=f"{base}/ce",
            types=TYPES,
            filter={"holder_id": OTHER_HOLDER, "mineral": "brick_clay"},
        )
        endpoint.secret = made["secret"]
        await consume(
            notifier,
            granted(WUXIGEN),  # another holder
            granted(SANHAO, OTHER_HOLDER, mineral="fluorite"),  # another mineral
            granted("d4b6e3f0-0c3a-4e77-9c50-3b2f6d3b4c32", OTHER_HOLDER, mineral="brick_clay"),
            closed("d4b6e3f0-0c3a-4e77-9c50-3b2f6d3b4c32", OTHER_HOLDER),  # carries no mineral
        )
        while await deliver(notifier):
            pass
    assert endpoint.seen() == [
        ("rights.right.granted", "d4b6e3f0-0c3a-4e77-9c50-3b2f6d3b4c32"),
        ("rights.mine.closed", "d4b6e3f0-0c3a-4e77-9c50-3b2f6d3b4c32"),
    ]


async def test_personal_contact_data_stays_with_those_entitled(notifier):
    endpoint = GovernmentEndpoint()
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        endpoint.secret = made["secret"]
        await consume(notifier, registered(HOLDER, **CONTACT), registered(OTHER_HOLDER))
        while await deliver(notifier):
            pass
    [delivered, _] = endpoint.events
    assert delivered.data["name"] == "二连浩特市先锋水泥制品有限公司"
    assert not set(CONTACT) & set(delivered.data)

    def contacts(page: dict) -> list:
        return [{k: e["data"].get(k) for k in CONTACT} for e in page["events"]]

    # a government system polling the feed: no personal fields
    polled = await feed(notifier, gov(notifier))
    assert len(polled["events"]) == 2
    assert all(not set(CONTACT) & set(e["data"]) for e in polled["events"])
    assert "13904790000" not in str(polled)
    # the bureau sees them
    bureau = await feed(notifier, notifier.auth(Role.bureau_reviewer))
    assert contacts(bureau)[0] == CONTACT
    # an enterprise reads its own holder's events only, with its own contact data
    own = await feed(notifier, notifier.auth(Role.enterprise, holder_id=HOLDER))
    assert [e["data"]["holder_id"] for e in own["events"]] == [HOLDER]
    assert contacts(own) == [CONTACT]
    other = await feed(notifier, notifier.auth(Role.enterprise, holder_id=OTHER_HOLDER))
    assert [e["data"]["holder_id"] for e in other["events"]] == [OTHER_HOLDER]
    assert "13904790000" not in str(other)
    # the catalogue says which fields are personal
    types = (await notifier.client.get("/event-types")).json()
    [holder_type] = [t for t in types if t["type"] == "rights.holder.registered"]
    assert holder_type["personal_fields"] == sorted(CONTACT)
    assert holder_type["schema"]["properties"]["contact_phone"]["x-personal"] is True


async def test_an_event_seen_twice_is_logged_and_delivered_once(notifier):
    endpoint = GovernmentEndpoint()
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        endpoint.secret = made["secret"]
        record = record_of(granted(WUXIGEN), subject=WUXIGEN)
        consumer = notifier.runtime.consumers["notifier"]
        assert (await consumer.process(record)).status == "applied"
        assert (await consumer.process(record)).status == "duplicate"
        while await deliver(notifier):
            pass
    assert endpoint.seen() == [("rights.right.granted", WUXIGEN)]
    assert len((await feed(notifier, gov(notifier)))["events"]) == 1
    metrics = await notifier.metrics()
    assert 'notifier_delivery_attempts_total{channel="event",outcome="delivered"} 1.0' in metrics


async def test_the_feed_pages_by_cursor_and_filters_by_type(notifier):
    await consume(notifier, granted(WUXIGEN), closed(WUXIGEN), granted(SANHAO), registered(HOLDER))
    headers = gov(notifier)
    first = await feed(notifier, headers, limit=2)
    assert [(e["type"], e.get("subject")) for e in first["events"]] == [
        ("rights.right.granted", WUXIGEN),
        ("rights.mine.closed", WUXIGEN),
    ]
    assert first["events"][1]["cursor"] == first["next"]
    rest = await feed(notifier, headers, after=first["next"])
    assert [e["type"] for e in rest["events"]] == [
        "rights.right.granted",
        "rights.holder.registered",
    ]
    assert (await feed(notifier, headers, after=rest["next"])) == {
        "events": [],
        "next": rest["next"],
    }
    grants = await feed(notifier, headers, types="rights.right.granted,rights.mine.closed")
    assert [e.get("subject") for e in grants["events"]] == [WUXIGEN, WUXIGEN, SANHAO]
    repeated = await notifier.client.get(
        "/events?types=rights.mine.closed&types=rights.holder.registered", headers=headers
    )
    assert [e["type"] for e in repeated.json()["events"]] == [
        "rights.mine.closed",
        "rights.holder.registered",
    ]
    event = first["events"][0]
    assert event["specversion"] == "1.0" and event["source"] == "/services/rights"
    assert event["datacontenttype"] == "application/json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "not-a-cursor"}, "query.after"),
        ({"after": "djE6LTE"}, "query.after"),  # "v1:-1"
        ({"types": "rights.right.granted,rights.mine.exploded"}, "query.types"),
        ({"limit": 0}, "query.limit"),
    ],
)
async def test_the_feed_refuses_bad_input_naming_the_field(notifier, params, field):
    response = await notifier.client.get("/events", params=params, headers=gov(notifier))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {v["field"] for v in response.json()["errors"]}


async def test_who_may_read_the_feed(notifier):
    assert (await notifier.client.get("/events")).status_code == 401
    evaluator = notifier.auth(Role.evaluator, org_id="o")
    assert (await notifier.client.get("/events", headers=evaluator)).status_code == 403
    for role in (Role.gov_system, Role.bureau_admin, Role.bureau_reviewer, Role.inspector):
        response = await notifier.client.get("/events", headers=notifier.auth(role))
        assert response.status_code == 200


async def test_subscriptions_belong_to_their_system(notifier):
    url = "http://127.0.0.1:9/ce"
    mine = await subscribe_events(notifier, gov(notifier), url=url, types=TYPES)
    theirs = await subscribe_events(notifier, gov(notifier, OTHER_GOV), url=url, types=TYPES)
    path = f"/event-subscriptions/{theirs['id']}"
    for method, extra in (("GET", {}), ("DELETE", {}), ("POST", {"json": {"from": START}})):
        target = path + ("/replay" if method == "POST" else "")
        response = await notifier.client.request(method, target, headers=gov(notifier), **extra)
        assert response.status_code == 404, (method, response.text)
    listed = await notifier.client.get("/event-subscriptions", headers=gov(notifier))
    assert [s["id"] for s in listed.json()["items"]] == [mine["id"]]
    assert "secret" not in listed.json()["items"][0]
    admin = notifier.auth(Role.bureau_admin)
    everyone = await notifier.client.get("/event-subscriptions", headers=admin)
    assert {s["id"] for s in everyone.json()["items"]} == {mine["id"], theirs["id"]}
    assert (await notifier.client.get(path, headers=admin)).status_code == 200
    for role, claims in ((Role.enterprise, {"holder_id": HOLDER}), (Role.inspector, {})):
        response = await notifier.client.post(
            "/event-subscriptions",
            json={"url": url, "types": TYPES},
            headers=notifier.auth(role, **claims),
        )
        assert response.status_code == 403
    mine_path = f"/event-subscriptions/{mine['id']}"
    assert (await notifier.client.delete(mine_path, headers=gov(notifier))).status_code == 204
    assert (await notifier.client.get(mine_path, headers=gov(notifier))).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"types": ["rights.right.granted", "rights.mine.exploded"]}, "body.types"),
        ({"types": []}, "body.types"),
        ({"filter": {"holder_id": "先锋水泥"}}, "body.filter.holder_id"),
        ({"filter": {"mineral": "gold"}}, "body.filter.mineral"),
        ({"filter": {"county": "二连浩特市"}}, "body.filter.county"),
        ({"url": "ftp://127.0.0.1/ce"}, "body.url"),
        # SSRF: internal addresses off the allow-list are refused (no request is made)
        ({"url": "http://169.254.169.254/latest/meta-data"}, "body.url"),
        ({"url": "http://10.0.0.7/ce"}, "body.url"),
        ({"url": "http://[::1]:8004/admin"}, "body.url"),
        ({"url": "http://[2002:7f00:1::]/ce"}, "body.url"),  # 6to4 carrying 127.0.0.1
        ({"url": "http://[64:ff9b:1::a00:7]/ce"}, "body.url"),  # NAT64 carrying 10.0.0.7
    ],
)
async def test_bad_subscriptions_are_422_naming_the_field(notifier, body, field):
    response = await notifier.client.post(
        "/event-subscriptions",
        json={"url": "http://127.0.0.1:9/ce", "types": TYPES, **body},
        headers=gov(notifier),
    )
    assert response.status_code == 422, response.text
    violations = response.json()["errors"]
    assert field in {v["field"] for v in violations}, violations
    if body.get("types"):
        assert "rights.mine.exploded" in str(violations)


async def test_a_destination_turned_internal_is_refused_at_delivery(notifier):
    """Checked again at every attempt: a subscription whose address is no longer allowed (DNS
    changed, the allow-list shrank) dead-letters its events instead of sending them."""
    endpoint = GovernmentEndpoint()
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        await consume(notifier, granted(WUXIGEN))
        notifier.settings.webhook_allowed_networks = []
        try:
            assert await deliver(notifier) == 1
        finally:
            notifier.settings.webhook_allowed_networks = ["127.0.0.1/32"]
    assert endpoint.events == []
    dead = await notifier.client.get(
        f"/event-subscriptions/{made['id']}/deliveries",
        params={"status": "dead"},
        headers=gov(notifier),
    )
    [letter] = dead.json()["items"]
    assert "internal address" in letter["last_error"] and letter["subject"] == WUXIGEN


async def test_410_disables_and_a_replay_brings_back_every_event_after_the_cursor(notifier):
    endpoint = GovernmentEndpoint(statuses=[410])
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        endpoint.secret = made["secret"]
        path = f"/event-subscriptions/{made['id']}"
        await consume(notifier, granted(WUXIGEN), closed(WUXIGEN))
        while await deliver(notifier):
            pass
        assert endpoint.events == []
        state = (await notifier.client.get(path, headers=gov(notifier))).json()
        assert state["active"] is False and "410" in state["disabled_reason"]
        await consume(notifier, granted(SANHAO))  # a disabled subscription queues nothing
        assert await deliver(notifier) == 0

        bad = await notifier.client.post(
            f"{path}/replay", json={"from": "v1:0"}, headers=gov(notifier)
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.from"
        replayed = await notifier.client.post(
            f"{path}/replay", json={"from": START}, headers=gov(notifier)
        )
        assert replayed.status_code == 202, replayed.text
        assert replayed.json() == {"from": START, "queued": 3}
        while await deliver(notifier):
            pass
        assert endpoint.per_subject() == {
            WUXIGEN: ["rights.right.granted", "rights.mine.closed"],
            SANHAO: ["rights.right.granted"],
        }
        # from the first event's cursor: the two after it, again
        again = await notifier.client.post(
            f"{path}/replay", json={"from": endpoint.events[0].cursor}, headers=gov(notifier)
        )
        assert again.json()["queued"] == 2
        while await deliver(notifier):
            pass
    assert sorted(endpoint.seen()[3:]) == [
        ("rights.mine.closed", WUXIGEN),
        ("rights.right.granted", SANHAO),
    ]
    assert endpoint.refused == []


async def test_the_catalogue_and_the_asyncapi_document_are_served_and_linked(notifier):
    types = (await notifier.client.get("/event-types")).json()
    assert [t["type"] for t in types] == [m.event_type for m in registry]
    [grant] = [t for t in types if t["type"] == "rights.right.granted"]
    assert grant["topic"] == "rights.events" and "right_id" in grant["schema"]["properties"]
    document = await notifier.client.get("/asyncapi.yaml")
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/yaml")
    assert document.text == COMMITTED_ASYNCAPI.read_text(encoding="utf-8")
    description = (await notifier.client.get("/openapi.json")).json()["info"]["description"]
    assert "(/event-types)" in description and "(/asyncapi.yaml)" in description


async def test_two_workers_at_once_still_send_a_mines_events_in_order(notifier):
    """Replicas claim with SKIP LOCKED: a subject's next event is never claimed while an
    earlier one is pending, whichever worker holds it."""
    endpoint = GovernmentEndpoint()
    async with serving(endpoint.app()) as base:
        made = await subscribe_events(notifier, gov(notifier), url=f"{base}/ce", types=TYPES)
        endpoint.secret = made["secret"]
        story = [granted(WUXIGEN), closed(WUXIGEN)] * 3 + [granted(SANHAO), closed(SANHAO)]
        await consume(notifier, *story)
        for _ in range(10):
            sent = await asyncio.gather(deliver(notifier), deliver(notifier))
            assert sum(sent) <= 2  # at most one head per mine at a time
            if sum(sent) == 0:
                break
    assert endpoint.per_subject() == {
        WUXIGEN: ["rights.right.granted", "rights.mine.closed"] * 3,
        SANHAO: ["rights.right.granted", "rights.mine.closed"],
    }


async def test_positions_commit_in_order_while_transactions_overlap(notifier):
    """An append holds the log until it commits: a later append waits, so its position is
    higher and a reader past the first never misses the second."""
    db = notifier.runtime.db
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def append(payload, *, hold: bool) -> int:
        async with db.transaction() as session:
            entry = await journal.record(session=session, event=event_of(payload))
            if hold:
                first_in.set()
                await release.wait()
            return entry.id

    first = asyncio.create_task(append(granted(WUXIGEN), hold=True))
    await first_in.wait()
    second = asyncio.create_task(append(granted(SANHAO), hold=False))
    await asyncio.sleep(0.5)
    assert not second.done()  # waiting for the first to commit
    release.set()
    assert await first < await second
