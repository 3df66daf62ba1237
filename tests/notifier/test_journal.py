"""The notifier's journal of received events: admins only, and fed only through the inbox."""

import pytest
from contracts import registry
from contracts.rights import HolderRegistered
from notifier.app import SERVICE
from notifier.journal import handlers as journal
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record


def holder_registered(name: str) -> Record:
    payload = HolderRegistered(
        holder_id="5a3c1e7e-2f1d-4c55-9a3e-1f0f4b1f2a10",
        credit_code="91110000710925462X",
        name=name,
        registered_at="2026-11-28T08:00:00Z",
    )
    event = CloudEvent(
        type=payload.event_type,
        source="/services/rights",
        data=payload.model_dump(mode="json"),
        subject=None,
    )
    return Record(
        "rights.events", b"k", event.value(), tuple((k, v.encode()) for k, v in event.headers())
    )


async def test_a_consumed_event_is_listed_with_its_envelope(notifier):
    consumer = notifier.runtime.consumers["notifier"]
    record = holder_registered("中国石油天然气股份有限公司")
    assert (await consumer.process(record)).status == "applied"
    assert (await consumer.process(record)).status == "duplicate"

    response = await notifier.client.get(
        "/admin/received-events", headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code == 200
    [entry] = response.json()["items"]
    assert entry["type"] == "rights.holder.registered"
    assert entry["source"] == "/services/rights"
    assert entry["data"]["name"] == "中国石油天然气股份有限公司"
    filtered = await notifier.client.get(
        "/admin/received-events",
        params={"type": "rights.right.granted"},
        headers=notifier.auth(Role.bureau_admin),
    )
    assert filtered.json()["items"] == []


@pytest.mark.parametrize(
    ("role", "claims"),
    [
        (Role.bureau_reviewer, {}),
        (Role.inspector, {}),
        (Role.gov_system, {}),
        (Role.enterprise, {"holder_id": "5a3c1e7e-2f1d-4c55-9a3e-1f0f4b1f2a10"}),
        (Role.evaluator, {"org_id": "org-1"}),
    ],
)
async def test_only_bureau_admins_read_the_journal(notifier, role, claims):
    response = await notifier.client.get(
        "/admin/received-events", headers=notifier.auth(role, **claims)
    )
    assert response.status_code == 403
    assert (await notifier.client.get("/admin/received-events")).status_code == 401
    dead = await notifier.client.get("/admin/dead-letters", headers=notifier.auth(role, **claims))
    assert dead.status_code == 403


def test_every_event_the_notifier_reacts_to_is_journaled():
    reacted = [m.event_type for m in registry if SERVICE.handlers.get(m.event_type) is not None]
    assert reacted and all(journal.handlers.get(t) is not None for t in reacted)
