"""Subscriptions: who may set up what, and nobody sees or changes another's (BOLA)."""

import pytest
from servicekit.auth import Role

from tests.notifier.support import HOLDER, OTHER_HOLDER, subscribe

OWN = {"holder_id": HOLDER}


async def test_an_enterprise_manages_its_own_contacts_only(notifier):
    enterprise = notifier.auth(Role.enterprise, holder_id=HOLDER)
    # the holder is filled in from the token
    mine = await subscribe(
        notifier,
        as_role=Role.enterprise,
        claims=OWN,
        channel="email",
        email="anquan@xianfeng.example.cn",
    )
    assert mine["holder_id"] == HOLDER
    for body, status in [
        ({"channel": "email", "email": "x@y.example.cn", "holder_id": OTHER_HOLDER}, 403),
        ({"channel": "webhook", "url": "http://127.0.0.1:9/hook"}, 403),
        ({"channel": "inbox", "inbox_user": "inspector-wang"}, 403),  # not its to fill
    ]:
        response = await notifier.client.post(
            "/subscriptions", json={"name": "x", **body}, headers=enterprise
        )
        assert response.status_code == status, response.text

    theirs = await subscribe(
        notifier, channel="email", holder_id=OTHER_HOLDER, email="o@o.example.cn"
    )
    listed = await notifier.client.get("/subscriptions", headers=enterprise)
    assert [s["id"] for s in listed.json()["items"]] == [mine["id"]]
    assert (
        await notifier.client.get(f"/subscriptions/{theirs['id']}", headers=enterprise)
    ).status_code == 404
    patch = await notifier.client.patch(
        f"/subscriptions/{theirs['id']}",
        json={"name": "hijack"},
        headers={**enterprise, "If-Match": '"1"'},
    )
    assert patch.status_code == 404
    assert (
        await notifier.client.delete(f"/subscriptions/{theirs['id']}", headers=enterprise)
    ).status_code == 404
    assert (
        await notifier.client.delete(f"/subscriptions/{mine['id']}", headers=enterprise)
    ).status_code == 204
    admin = notifier.auth(Role.bureau_admin)
    assert len((await notifier.client.get("/subscriptions", headers=admin)).json()["items"]) == 1


async def test_government_systems_register_webhooks_and_staff_their_own_inbox(notifier):
    gov = await subscribe(
        notifier,
        as_role=Role.gov_system,
        claims={"subject": "region-planning-platform"},
        channel="webhook",
        url="http://127.0.0.1:9/hook",
        name="自治区规划信息平台",
    )
    assert gov["created_by"] == "region-planning-platform" and gov["secret"]
    inspector = notifier.auth(Role.inspector, subject="inspector-wang")
    refused = await notifier.client.post(
        "/subscriptions",
        json={"name": "x", "channel": "email", "email": "a@b.example.cn"},
        headers=inspector,
    )
    assert refused.status_code == 403
    other_inbox = await notifier.client.post(
        "/subscriptions",
        json={"name": "x", "channel": "inbox", "inbox_user": "inspector-zhao"},
        headers=inspector,
    )
    assert other_inbox.status_code == 403
    own = await notifier.client.post(
        "/subscriptions",
        json={"name": "王工", "channel": "inbox", "role": "inspector"},
        headers=inspector,
    )
    assert own.status_code == 201 and own.json()["inbox_user"] == "inspector-wang"
    gov_token = notifier.auth(Role.gov_system, subject="region-planning-platform")
    listed = await notifier.client.get("/subscriptions", headers=gov_token)
    assert [s["id"] for s in listed.json()["items"]] == [gov["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "email"}, "body"),  # no address
        ({"channel": "email", "email": "not-an-address"}, "body.email"),
        ({"channel": "inbox", "url": "http://127.0.0.1:9/"}, "body"),
        ({"channel": "pigeon", "email": "a@b.example.cn"}, "body.channel"),
        ({"channel": "email", "email": "a@b.example.cn", "kinds": []}, "body.kinds"),
    ],
)
async def test_bad_subscriptions_are_refused_naming_the_field(notifier, body, field):
    response = await notifier.client.post(
        "/subscriptions", json={"name": "x", **body}, headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_subscription_updates_need_if_match(notifier):
    sub = await subscribe(notifier, channel="email", email="a@b.example.cn")
    admin = notifier.auth(Role.bureau_admin)
    url = f"/subscriptions/{sub['id']}"
    assert (await notifier.client.patch(url, json={"name": "y"}, headers=admin)).status_code == 428
    ok = await notifier.client.patch(
        url, json={"kinds": ["rectification"]}, headers={**admin, "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.json()["kinds"] == ["rectification"]
    wrong = await notifier.client.patch(
        url, json={"url": "http://127.0.0.1/"}, headers={**admin, "If-Match": '"2"'}
    )
    assert wrong.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/alerts"),
        ("GET", "/alerts/dead-letters"),
        ("GET", "/alerts/1/attempts"),
        ("POST", "/alerts/1/resend"),
    ],
)
async def test_the_delivery_admin_is_for_bureau_admins(notifier, method, path):
    assert (await notifier.client.request(method, path)).status_code == 401
    for role, claims in [
        (Role.bureau_reviewer, {}),
        (Role.gov_system, {}),
        (Role.enterprise, OWN),
        (Role.inspector, {}),
    ]:
        response = await notifier.client.request(
            method, path, headers=notifier.auth(role, **claims)
        )
        assert response.status_code == 403
    admin = await notifier.client.request(method, path, headers=notifier.auth(Role.bureau_admin))
    assert admin.status_code in (200, 404)
