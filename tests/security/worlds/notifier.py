"""notifier with a deadline of holder A (learned from rights' event), enterprise A's inbox
subscription and an alert in its inbox, and the bureau's e-mail subscription whose alert was
given up on (a delivery dead letter to resend); holder A's registration with its contact data
in the event log, and the government system's event subscription."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contracts.rights import FilingRequired, HolderRegistered
from devkit.testing import RunningService
from notifier.feed.cursor import START

from tests.notifier.support import consume, deadline, event_of, sql, sweep
from tests.security.harness import Call, World
from tests.security.matrix import ENT_A, GOV
from tests.security.worlds.common import new_id, shared_calls, shared_params

DEADLINE = "filing:2027:annual_mining_plan:authz"
REMINDER = datetime(2026, 9, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 30 days before


async def build(service: RunningService) -> World:
    a, b = new_id(), new_id()
    world = World(service, holder_a=a, holder_b=b)
    admin, owner = world.headers("bureau_admin"), world.headers("enterprise_a")
    client = service.client

    async def subscription(headers: dict, **body) -> dict:
        response = await client.post(
            "/subscriptions", json={"name": "安全科", **body}, headers=headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    inbox = await subscription(owner, channel="inbox")
    await subscription(admin, channel="email", email="kuangye@erenhot.example.cn", holder_id=a)
    await consume(
        service,
        FilingRequired(
            filing_id=uuid.uuid4(),
            right_id=uuid.uuid4(),
            holder_id=a,
            kind="annual_mining_plan",
            year=2027,
            deadline=deadline(DEADLINE, due=date(2026, 10, 10), holder_id=a),
        ),
    )
    assert await sweep(service, REMINDER) == 1  # one deadline due a reminder: two alerts
    [in_inbox] = (await client.get("/inbox", headers=owner)).json()["items"]
    [(mailed,)] = await sql(service, "SELECT id FROM alerts WHERE channel = 'email'")
    # the e-mail was given up on: a delivery dead letter the bureau may resend
    await sql(service, f"UPDATE alerts SET status = 'dead' WHERE id = {mailed} RETURNING id")

    async def fresh_subscription(_: str) -> Call:
        made = await subscription(owner, channel="email", email="anquan@xianfeng.example.cn")
        return Call(path={"subscription_id": made["id"]})

    await consume(
        service,
        HolderRegistered(
            holder_id=a,
            credit_code="91152501MA0N1X2Y3Z",
            name="二连浩特市先锋水泥制品有限公司",
            registered_at=datetime(2026, 11, 28, 8, 0, tzinfo=ZoneInfo("UTC")),
            contact_name="王建国",
            contact_phone="13904790000",
        ),
    )
    [(registration,)] = await sql(
        service,
        "SELECT event_id::text FROM received_events WHERE type = 'rights.holder.registered'",
    )
    # event subscriptions: the government system's endpoint (nothing listens there, and no
    # delivery worker runs in this world)
    service.settings.webhook_allowed_networks = ["127.0.0.1/32"]
    gov = world.headers(GOV)
    events = {"url": "http://127.0.0.1:9/ce", "types": ["rights.holder.registered"]}

    async def event_subscription() -> dict:
        response = await client.post("/event-subscriptions", json=events, headers=gov)
        assert response.status_code == 201, response.text
        return response.json()

    system = await event_subscription()

    async def fresh_event_subscription(_: str) -> Call:
        return Call(path={"subscription_id": (await event_subscription())["id"]})

    world.params = {
        # the notifier logs every event type: its replayable dead letter is a valid event
        **await shared_params(
            service,
            event_of(
                HolderRegistered(
                    holder_id=b,
                    credit_code="91152501MA0N9Q8R7S",
                    name="内蒙古源庭矿业有限公司",
                    registered_at=datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("UTC")),
                ),
                subject=None,
            ),
        ),
        "deadline_id": DEADLINE,
        "subscription_id": inbox["id"],
        "alert_id": str(mailed),
    }
    world.secrets = {ENT_A: {DEADLINE, inbox["id"], registration}}
    world.filters = {"holder_id": a, "org_id": world.org_a}
    world.calls = {
        **shared_calls("reminder-sweep"),
        "POST /subscriptions": Call(json={"name": "安全科", "channel": "inbox", "holder_id": a}),
        "PATCH /subscriptions/{subscription_id}": Call(
            json={"name": "安全环保科"}, etag_from="/subscriptions/{subscription_id}"
        ),
        "DELETE /subscriptions/{subscription_id}": fresh_subscription,
        "POST /inbox/{alert_id}/read": Call(path={"alert_id": str(in_inbox["id"])}),
        "GET /inbox/stream": Call(stream=True),
        "POST /event-subscriptions": Call(json=events),
        "GET /event-subscriptions/{subscription_id}": Call(path={"subscription_id": system["id"]}),
        "GET /event-subscriptions/{subscription_id}/deliveries": Call(
            path={"subscription_id": system["id"]}
        ),
        "POST /event-subscriptions/{subscription_id}/replay": Call(
            path={"subscription_id": system["id"]}, json={"from": START}
        ),
        "DELETE /event-subscriptions/{subscription_id}": fresh_event_subscription,
    }
    return world
