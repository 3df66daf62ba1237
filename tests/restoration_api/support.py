"""Helpers for restoration-api tests: rights events as rights-api publishes them, tokens, and
reads of the outbox (what the service published)."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from contracts.base import EventPayload
from contracts.rights import ApplicationFiled, MineClosed, RightGranted
from devkit.testing import RunningService
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record
from sqlalchemy import text

# 专栏一 no. 6: 二连浩特市乌希根楚二号建筑用花岗岩矿, 0.0386 km², 6万m³/年, open pit, producing
# an accrual rule set of the shape the province publishes (the figures are the tests' own)
RULES_2026 = {
    "code": "nmg-2026",
    "name": "2026 提取标准 (test)",
    "effective_from": "2026-01-01",
    "effective_to": "2026-12-31",
    "base_rates": {"construction_granite": "5000.00"},
    "method_factors": {"open_pit": "1.2", "underground": "0.8"},
    "land_type_factors": {"grassland": "1.5", "bare_land": "1.0"},
    "region_factors": {"erenhot": "1.1"},
}

GRANITE = {
    "licence_no": "C1525012010057130066321",
    "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
    "holder_name": "二连浩特市先锋水泥制品有限公司",
    "mineral": "construction_granite",
    "area_km2": "0.0386",
    "scale": {"value": "6", "unit": "10k_m3_per_year"},
    "method": "open_pit",
    "status": "producing",
    "zone": "SCJ001",
}


def record_of(payload: EventPayload, subject: str | None = None) -> Record:
    """The record rights-api's relay would put on the topic for ``payload``."""
    event = CloudEvent(
        type=payload.event_type,
        source="/services/rights",
        data=payload.model_dump(mode="json"),
        subject=subject,
    )
    return Record(
        payload.topic,
        (subject or "k").encode(),
        event.value(),
        tuple((k, v.encode()) for k, v in event.headers()),
    )


def granted(right_id=None, holder_id=None, **overrides) -> RightGranted:
    values = {
        **GRANITE,
        "right_id": right_id or uuid.uuid4(),
        "holder_id": holder_id or uuid.uuid4(),
        "kind": "mining",
        "licensing_level": "city",
        "valid_from": "2020-01-01",
        "valid_to": "2030-12-31",
        "granted_at": datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        **overrides,
    }
    return RightGranted.model_validate(values)


async def deliver(service: RunningService, payload: EventPayload) -> str:
    consumer = service.runtime.consumers["restoration"]
    outcome = await consumer.process(record_of(payload, str(getattr(payload, "right_id", ""))))
    assert outcome.status in ("applied", "duplicate"), outcome
    return outcome.status


async def grant(service: RunningService, **overrides) -> dict:
    """Grants a right through the event and returns its fund as the API shows it."""
    payload = granted(**overrides)
    await deliver(service, payload)
    response = await service.client.get(
        "/funds", params={"right_id": str(payload.right_id)}, headers=admin(service)
    )
    [fund] = response.json()["items"]
    return fund


def closure_filed(right_id, holder_id, application_id=None) -> ApplicationFiled:
    return ApplicationFiled(
        application_id=application_id or uuid.uuid4(),
        kind="closure",
        holder_id=holder_id,
        right_id=right_id,
        filed_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def mine_closed(right_id, holder_id) -> MineClosed:
    return MineClosed(
        right_id=right_id,
        holder_id=holder_id,
        licence_no=GRANITE["licence_no"],
        status="closed",
        closed_at=datetime(2026, 9, 1, tzinfo=UTC),
    )


def admin(service: RunningService) -> dict[str, str]:
    return service.auth(Role.bureau_admin)


def enterprise(service: RunningService, holder_id) -> dict[str, str]:
    return service.auth(Role.enterprise, holder_id=str(holder_id))


async def sql(service: RunningService, query: str, **params) -> list:
    async with service.runtime.db.transaction() as session:
        result = await session.exec(text(query).bindparams(**params))
        return list(result.all()) if result.returns_rows else []


async def published(service: RunningService, event_type: str) -> list[dict]:
    rows = await sql(service, "SELECT value FROM outbox WHERE type = :t ORDER BY id", t=event_type)
    return [json.loads(bytes(value)) for (value,) in rows]


async def transfer(
    service: RunningService, fund_id, kind: str, amount: str, **extra
) -> "httpx.Response":  # noqa: F821
    body = {"id": str(extra.pop("id", uuid.uuid4())), "kind": kind, "amount": amount, **extra}
    return await service.client.post(
        f"/funds/{fund_id}/transfers", json=body, headers=admin(service)
    )


async def work(service: RunningService, right_id, area="1.2", cost="120000.00") -> dict:
    response = await service.client.post(
        "/works",
        json={
            "right_id": str(right_id),
            "name": "乌希根楚二号 采场边坡削坡及覆土绿化",
            "area_ha": area,
            "estimated_cost": cost,
            "year": 2026,
        },
        headers=admin(service),
    )
    assert response.status_code == 201, response.text
    return response.json()


def money(value: str) -> Decimal:
    return Decimal(value)
