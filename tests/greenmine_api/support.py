"""Driving greenmine-api the way the other services and its users do."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from contracts.base import EventPayload
from contracts.rights import RightGranted
from devkit.testing import RunningService
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record
from sqlalchemy import text

ORG = "nmg-lvkuang-pinggu"
OTHER_ORG = "beijing-kuangye-pinggu"
FORM_ITEMS = {  # the 2020 national form as seeded: item → maximum points
    "environment.appearance": 70,
    "environment.greening": 80,
    "development.mining": 100,
    "development.restoration": 100,
    "development.ecology": 50,
    "utilisation.associated": 70,
    "utilisation.solid_waste": 50,
    "utilisation.water": 30,
    "energy.saving": 80,
    "energy.emissions": 70,
    "innovation.research": 80,
    "innovation.digital": 70,
    "management.system": 80,
    "management.image": 70,
}
PREREQUISITES = (
    "valid_licence",
    "no_penalty_or_accident_3y",
    "not_abnormal_listed",
    "reserves_3y",
    "outside_protected_areas",
)
TEAM = [{"name": f"评估员{i}", "title": "高级工程师"} for i in range(1, 6)]


def scores(ratio: str = "0.8", **overrides: int | str) -> dict[str, str]:
    """Every item at ``ratio`` of its maximum (0.8 → exactly 800 of 1000), then overrides
    (item codes with the dot written as a double underscore)."""
    out = {code: str(Decimal(ratio) * top) for code, top in FORM_ITEMS.items()}
    out.update({k.replace("__", "."): str(v) for k, v in overrides.items()})
    return out


def prerequisites(**failed: bool) -> dict[str, bool]:
    return {code: failed.get(code, True) for code in PREREQUISITES}


def record(payload: EventPayload, *, source: str = "/services/rights", subject=None) -> Record:
    event = CloudEvent(
        type=payload.event_type,
        source=source,
        data=payload.model_dump(mode="json"),
        subject=subject,
    )
    return Record(
        payload.topic, b"k", event.value(), tuple((k, v.encode()) for k, v in event.headers())
    )


async def deliver(service: RunningService, payload: EventPayload) -> str:
    consumer = service.runtime.consumers[service.settings.topic("greenmine")]
    outcome = await consumer.process(record(payload, subject=str(getattr(payload, "right_id", ""))))
    assert outcome.status == "applied", outcome
    return outcome.status


def granted(
    *,
    right_id: uuid.UUID | None = None,
    holder_id: uuid.UUID | None = None,
    mine_name: str = "二连浩特市乌希根楚二号建筑用花岗岩矿",
    holder_name: str = "二连浩特市先锋水泥制品有限公司",
    reference: bool = False,
) -> RightGranted:
    return RightGranted(
        right_id=right_id or uuid.uuid4(),
        licence_no=f"C15000020{uuid.uuid4().int % 10**12:012d}",
        kind="mining",
        holder_id=holder_id or uuid.uuid4(),
        holder_name=holder_name,
        mine_name=mine_name,
        mineral="construction_granite",
        area_km2=Decimal("0.0386"),
        status="producing",
        zone="SCJ001",
        licensing_level="city",
        valid_from=date(2021, 6, 1),
        valid_to=date(2031, 6, 1),
        reference=reference,
        granted_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )


async def events(service: RunningService, type_: str | None = None) -> list[dict]:
    async with service.runtime.db.transaction() as session:
        rows = (await session.exec(text("SELECT type, value FROM outbox ORDER BY id"))).all()
    return [{"type": t, **json.loads(v)} for t, v in rows if type_ is None or t == type_]


def admin(service: RunningService) -> dict[str, str]:
    return service.auth(Role.bureau_admin)


def enterprise(service: RunningService, holder_id) -> dict[str, str]:
    return service.auth(Role.enterprise, holder_id=str(holder_id))


def evaluator(service: RunningService, org: str = ORG) -> dict[str, str]:
    return service.auth(Role.evaluator, org_id=org)


async def register_org(service: RunningService, org: str = ORG) -> None:
    serial = abs(hash(org)) % 10**8
    response = await service.client.post(
        "/evaluators",
        json={"id": org, "name": f"{org} 评估公司", "credit_code": f"9115010{serial:08d}XYZ"[:18]},
        headers=admin(service),
    )
    assert response.status_code == 201, response.text


async def apply(service: RunningService, mine: RightGranted, kind: str = "entry") -> dict:
    response = await service.client.post(
        "/applications",
        json={"right_id": str(mine.right_id), "kind": kind},
        headers=enterprise(service, mine.holder_id),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def assign(service: RunningService, application: dict, org: str = ORG) -> None:
    response = await service.client.post(
        f"/applications/{application['id']}/assignment",
        json={"org_id": org},
        headers=admin(service),
    )
    assert response.status_code == 200, response.text


async def submit(
    service: RunningService,
    application: dict,
    *,
    item_scores: dict | None = None,
    prereqs: dict | None = None,
    team: list | None = None,
    org: str = ORG,
):
    body = {
        "scores": item_scores or scores(),
        "prerequisites": prereqs or prerequisites(),
        "team": TEAM if team is None else team,
    }
    return await service.client.post(
        f"/applications/{application['id']}/evaluation",
        data={"evaluation": json.dumps(body)},
        files={"report": ("评估报告.pdf", b"%PDF-1.7 evaluation report", "application/pdf")},
        headers=evaluator(service, org),
    )


async def publicity(service: RunningService, application: dict, starts_on: str) -> dict:
    response = await service.client.post(
        f"/applications/{application['id']}/publicity",
        json={"starts_on": starts_on},
        headers=admin(service),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def close(service: RunningService, publicity_id: str):
    return await service.client.post(f"/publicities/{publicity_id}/close", headers=admin(service))


async def listed_mine(service: RunningService, mine: RightGranted | None = None) -> tuple:
    """A mine through the whole entry path: granted, applied, evaluated, publicised, listed."""
    mine = mine or granted()
    await deliver(service, mine)
    if not await _org_exists(service):
        await register_org(service)
    application = await apply(service, mine)
    await assign(service, application)
    assert (await submit(service, application)).status_code == 201
    pub = await publicity(service, application, "2026-01-05")
    response = await close(service, pub["id"])
    assert response.status_code == 200, response.text
    listings = (await service.client.get("/listings")).json()["items"]
    [listing] = [item for item in listings if item["right_id"] == str(mine.right_id)]
    return mine, listing


async def _org_exists(service: RunningService) -> bool:
    orgs = (await service.client.get("/evaluators")).json()["items"]
    return any(o["id"] == ORG for o in orgs)
