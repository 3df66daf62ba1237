"""Delivery over real channels: webhooks to a real HTTP receiver (signature checked by an
independent implementation of Standard Webhooks), e-mail to a real SMTP server (aiosmtpd),
the inbox and its server-sent-events stream over a real socket."""

import asyncio
import base64
import email
import hashlib
import hmac
import json
import time
from datetime import date, timedelta
from email import policy

import httpx
import pytest
from contracts.rights import FilingRequired
from notifier.delivery.channels import Channels
from notifier.delivery.service import deliver_due
from notifier.subscriptions.destinations import DestinationRefused, check_destination, pinned
from servicekit.auth import Role

from tests.notifier.support import (
    HOLDER,
    RIGHT,
    WebhookReceiver,
    alerts,
    consume,
    deadline,
    serving,
    smtp_server,
    sql,
    subscribe,
    sweep,
)
from tests.notifier.test_deadlines import FILING, at

DUE = date(2026, 10, 10)
FIRST = at(date(2026, 9, 10))  # the 30-day reminder of DUE


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> dict:
    """Standard Webhooks, written from the spec: HMAC-SHA256 over "id.timestamp.body" keyed
    with the base64 secret after ``whsec_``; ``v1,<base64>`` among space-separated signatures;
    timestamp within five minutes."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) < 300
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = dict(sig.split(",", 1) for sig in headers["webhook-signature"].split(" "))
    assert hmac.compare_digest(versions["v1"], expected), "signature does not verify"
    return json.loads(body)


async def deliver(notifier, now, **kw) -> int:
    channels = Channels(notifier.settings)
    try:
        return await deliver_due(
            db=notifier.runtime.db,
            settings=notifier.settings,
            channels=channels,
            now=now,
            worker=kw.get("worker", "test-worker"),
        )
    finally:
        await channels.close()


async def one_reminder_due(notifier, deadline_id: str = "filing:1") -> None:
    await consume(
        notifier,
        FilingRequired(
            filing_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            kind="annual_mining_plan",
            year=2027,
            deadline=deadline(deadline_id, due=DUE),
        ),
    )
    assert await sweep(notifier, FIRST) == 1


async def attempts(notifier, alert_id: int) -> list[dict]:
    response = await notifier.client.get(
        f"/alerts/{alert_id}/attempts", headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_webhook_is_signed_per_standard_webhooks_and_verifies_independently(notifier):
    receiver = WebhookReceiver()
    async with serving(receiver.app()) as base:
        sub = await subscribe(
            notifier,
            as_role=Role.gov_system,
            channel="webhook",
            url=f"{base}/hook",
            name="自治区规划信息平台",
        )
        assert sub["secret"].startswith("whsec_")
        await one_reminder_due(notifier)
        assert await deliver(notifier, FIRST) == 1

    [request] = receiver.received
    payload = verify_standard_webhook(sub["secret"], request.headers, request.body)
    assert payload["type"] == "deadline.reminder"
    assert payload["data"]["deadline_id"] == "filing:1"
    assert payload["data"]["due_at"] == "2026-10-10"
    assert payload["data"]["title"].startswith("【提醒】")
    with pytest.raises(AssertionError):  # the check can fail: a tampered body does not verify
        verify_standard_webhook(sub["secret"], request.headers, request.body + b" ")
    [alert] = await alerts(notifier)
    assert request.headers["webhook-id"] == f"alert_{alert['id']}"
    assert alert["status"] == "delivered"
    [attempt] = await attempts(notifier, alert["id"])
    assert (attempt["outcome"], attempt["status_code"]) == ("delivered", 200)
    assert [a["id"] for a in await alerts(notifier, recipient=f"{base}/hook")] == [alert["id"]]
    assert await alerts(notifier, recipient="http://elsewhere/hook") == []
    metrics = await notifier.metrics()
    assert 'notifier_delivery_attempts_total{channel="webhook",outcome="delivered"} 1.0' in metrics
    # the secret is shown once, never again
    again = await notifier.client.get(
        f"/subscriptions/{sub['id']}", headers=notifier.auth(Role.bureau_admin)
    )
    assert "secret" not in again.json()


async def test_a_500_is_retried_with_growing_backoff_then_delivered(notifier):
    receiver = WebhookReceiver(statuses=[500, 503])
    async with serving(receiver.app()) as base:
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await one_reminder_due(notifier)
        assert await deliver(notifier, FIRST) == 1
        [alert] = await alerts(notifier)
        first_retry = alert["next_attempt_at"]
        delay = _seconds(first_retry) - FIRST.timestamp()
        assert 30 <= delay <= 60  # base 60 s, half fixed and half jitter
        assert await deliver(notifier, FIRST + timedelta(seconds=29)) == 0  # not due yet

        now = FIRST + timedelta(seconds=delay)
        assert await deliver(notifier, now) == 1
        [alert] = await alerts(notifier)
        second = _seconds(alert["next_attempt_at"]) - now.timestamp()
        assert 60 <= second <= 120  # doubled
        assert await deliver(notifier, now + timedelta(seconds=second)) == 1

    [alert] = await alerts(notifier)
    assert (alert["status"], alert["attempts"]) == ("delivered", 3)
    log = await attempts(notifier, alert["id"])
    assert [(a["outcome"], a["status_code"]) for a in log] == [
        ("failed", 500),
        ("failed", 503),
        ("delivered", 200),
    ]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # one message id


async def test_exhausted_retries_become_a_dead_letter_that_an_admin_resends(start_notifier):
    receiver = WebhookReceiver(statuses=[500, 500])
    async with start_notifier(delivery_max_attempts=2) as notifier, serving(receiver.app()) as base:
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await one_reminder_due(notifier)
        await deliver(notifier, FIRST)
        await deliver(notifier, FIRST + timedelta(hours=1))
        admin = notifier.auth(Role.bureau_admin)
        [dead] = (await notifier.client.get("/alerts/dead-letters", headers=admin)).json()["items"]
        assert (dead["status"], dead["attempts"]) == ("dead", 2)
        assert await deliver(notifier, FIRST + timedelta(days=1)) == 0

        resent = await notifier.client.post(f"/alerts/{dead['id']}/resend", headers=admin)
        assert resent.status_code == 200, resent.text
        again = await notifier.client.post(f"/alerts/{dead['id']}/resend", headers=admin)
        assert again.status_code == 409  # already queued
        await deliver(notifier, FIRST + timedelta(days=2))  # real now is later than FIRST
        await deliver(notifier, _now_plus(60))
        [alert] = await alerts(notifier)
        assert alert["status"] == "delivered"
        assert len(receiver.received) == 3
        forbidden = await notifier.client.post(
            f"/alerts/{dead['id']}/resend", headers=notifier.auth(Role.bureau_reviewer)
        )
        assert forbidden.status_code == 403


async def test_410_disables_the_endpoint_until_re_enabled(notifier):
    receiver = WebhookReceiver(statuses=[410])
    async with serving(receiver.app()) as base:
        sub = await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await one_reminder_due(notifier)
        await deliver(notifier, FIRST)
        admin = notifier.auth(Role.bureau_admin)
        state = await notifier.client.get(f"/subscriptions/{sub['id']}", headers=admin)
        assert state.json()["active"] is False
        assert "410" in state.json()["disabled_reason"]
        [alert] = await alerts(notifier)
        assert alert["status"] == "dead"
        assert [a["outcome"] for a in await attempts(notifier, alert["id"])] == ["gone"]

        await one_reminder_due(notifier, "filing:2")  # a disabled endpoint gets no new alerts
        assert len(await alerts(notifier)) == 1

        patch = await notifier.client.patch(
            f"/subscriptions/{sub['id']}",
            json={"active": True},
            headers={**admin, "If-Match": state.headers["etag"]},
        )
        assert patch.status_code == 200, patch.text
        stale = await notifier.client.patch(
            f"/subscriptions/{sub['id']}",
            json={"active": False},
            headers={**admin, "If-Match": state.headers["etag"]},
        )
        assert stale.status_code == 412
        await one_reminder_due(notifier, "filing:3")
        await deliver(notifier, FIRST)
        assert [a["status"] for a in await alerts(notifier)] == ["dead", "delivered"]
        assert len(receiver.received) == 2


async def test_redirects_are_not_followed(notifier):
    receiver = WebhookReceiver(statuses=[302])
    async with serving(receiver.app()) as base:
        await subscribe(notifier, channel="webhook", url=f"{base}/hook")
        await one_reminder_due(notifier)
        await deliver(notifier, FIRST)
    assert receiver.redirected == []
    [alert] = await alerts(notifier)
    assert alert["status"] == "pending"  # retried later, never sent on to the new location
    [attempt] = await attempts(notifier, alert["id"])
    assert (attempt["outcome"], attempt["status_code"]) == ("failed", 302)
    assert "redirect not followed" in attempt["error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.20.30.40/hook",  # the data centre's own network
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]:8004/admin",  # loopback over IPv6 (only 127.0.0.1 is allow-listed)
        "http://127.0.0.2:8004/",  # loopback, but not the allow-listed address
        "ftp://example.org/hook",
        "http://[2002:7f00:1::]/hook",  # 6to4 for 127.0.0.1 (accepted by Python 3.11's rules)
        "http://[64:ff9b::a00:1]/hook",  # NAT64 for 10.0.0.1
    ],
)
async def test_a_destination_outside_the_allow_list_is_refused(notifier, url):
    response = await notifier.client.post(
        "/subscriptions",
        json={"name": "x", "channel": "webhook", "url": url},
        headers=notifier.auth(Role.gov_system),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.url"


async def test_the_allow_list_is_checked_again_at_delivery(notifier):
    sub = await subscribe(notifier, channel="webhook", url="http://127.0.0.1:9/hook")
    # the endpoint was since pointed inside (say by DNS); the row is changed behind the API
    await sql(
        notifier,
        "UPDATE subscriptions SET url = 'http://192.168.1.10/hook' "
        "WHERE id = CAST(:id AS uuid) RETURNING id",
        id=sub["id"],
    )
    await one_reminder_due(notifier)
    await deliver(notifier, FIRST)
    [alert] = await alerts(notifier)
    assert alert["status"] == "dead"
    [attempt] = await attempts(notifier, alert["id"])
    assert attempt["outcome"] == "refused"
    assert "192.168.1.10 is an internal address" in attempt["error"]


async def test_destination_rules():
    assert await check_destination("https://93.184.215.14/hook", []) == "93.184.215.14"
    url, host, extensions = pinned("https://hooks.example.gov.cn:8443/a?b=1", "93.184.215.14")
    assert url == "https://93.184.215.14:8443/a?b=1"
    assert host == {"host": "hooks.example.gov.cn:8443"}
    assert extensions == {"sni_hostname": "hooks.example.gov.cn"}
    assert pinned("http://h.example.cn/x", "2001:db8::1")[0] == "http://[2001:db8::1]/x"
    for refused in ("http://127.0.0.1/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/"):
        with pytest.raises(DestinationRefused):
            await check_destination(refused, [])
    await check_destination("http://10.1.2.3/", ["10.1.0.0/16"])  # allow-listed network
    with pytest.raises(DestinationRefused):
        await check_destination("http://user:pw@93.184.215.14/", [])


TUNNELS = [
    "http://[2002:7f00:1::]/",  # 6to4 (2002::/16) carrying 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/",  # 6to4 carrying 169.254.169.254
    "http://[64:ff9b::7f00:1]/",  # NAT64 well-known prefix (64:ff9b::/96)
    "http://[64:ff9b:1::a00:1]/",  # local-use NAT64 (64:ff9b:1::/48)
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo (2001::/32)
]


@pytest.mark.parametrize("url", TUNNELS)
async def test_tunnel_and_translation_prefixes_are_refused_on_every_python_version(url):
    with pytest.raises(DestinationRefused, match="internal address"):
        await check_destination(url, [])
    assert await check_destination("http://[2606:4700:4700::1111]/", []) == "2606:4700:4700::1111"


async def test_an_email_reaches_the_smtp_server(start_notifier):
    with smtp_server() as (port, mailbox):
        async with start_notifier(smtp_port=port) as notifier:
            await subscribe(
                notifier,
                as_role=Role.enterprise,
                claims={"holder_id": HOLDER},
                channel="email",
                email="anquan@xianfeng-erenhot.example.cn",
            )
            await one_reminder_due(notifier)
            assert await deliver(notifier, FIRST) == 1
            [alert] = await alerts(notifier)
            assert alert["status"] == "delivered"
    [(recipients, raw)] = mailbox.messages
    assert recipients == ["anquan@xianfeng-erenhot.example.cn"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("【提醒】二连浩特市乌希根楚二号建筑用花岗岩矿")
    assert message["Message-ID"] == f"<alert_{alert['id']}@notifier.mineadmin>"
    assert "矿山应于每年12月报送下一年度采掘计划" in message.get_content()


async def test_an_unreachable_smtp_server_is_retried(start_notifier):
    async with start_notifier(smtp_port=1) as notifier:
        await subscribe(notifier, channel="email", email="a@b.example.cn", holder_id=HOLDER)
        await one_reminder_due(notifier)
        await deliver(notifier, FIRST)
        [alert] = await alerts(notifier)
        assert (alert["status"], alert["attempts"]) == ("pending", 1)
        assert alert["last_error"]


async def test_the_sse_stream_receives_a_new_alert(notifier):
    await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="inspector-li")
    headers = notifier.auth(Role.inspector, subject="inspector-li")
    async with serving(notifier.app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        async with http.stream(
            "GET", "/inbox/stream", headers={**headers, "Last-Event-ID": "0"}
        ) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            await one_reminder_due(notifier)  # the alert is written after the stream opened
            event = await asyncio.wait_for(_next_event(lines), timeout=15)
    assert event["event"] == "alert"
    item = json.loads(event["data"])
    assert (item["deadline_id"], item["stage"], item["read"]) == ("filing:1", "reminder", False)
    assert event["id"] == str(item["id"])

    inbox = await notifier.client.get("/inbox", headers=headers)
    [listed] = inbox.json()["items"]
    read = await notifier.client.post(f"/inbox/{listed['id']}/read", headers=headers)
    assert read.json()["read"] is True
    unread = await notifier.client.get("/inbox", params={"unread": True}, headers=headers)
    assert unread.json()["items"] == []
    someone_else = notifier.auth(Role.inspector, subject="inspector-zhao")
    assert (
        await notifier.client.post(f"/inbox/{listed['id']}/read", headers=someone_else)
    ).status_code == 404
    assert (await notifier.client.get("/inbox", headers=someone_else)).json()["items"] == []
    assert (await notifier.client.get("/inbox/stream")).status_code == 401


async def _next_event(lines) -> dict:
    event: dict = {}
    async for line in lines:
        if not line:
            if "data" in event:
                return event
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        event[name] = value.removeprefix(" ")
    raise AssertionError("stream ended")


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def _now_plus(seconds: int):
    from datetime import UTC, datetime

    return datetime.now(UTC) + timedelta(seconds=seconds)
