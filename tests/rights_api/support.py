"""Helpers for the rights-api tests: the plan edition, holders, rights and applications."""

import copy
import uuid
from datetime import date
from decimal import Decimal

from contracts.restoration import AcceptancePassed
from devkit.testing import RunningService
from rights_api.applications.schemas import NEW_MINING_EXAMPLE
from rights_api.geometry import square
from rights_api.plan import service as plans
from rights_api.plan.edition_2021_2025 import edition
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record
from sqlalchemy import text

from tests.samples import credit_code

SCJ001 = (111.68, 43.53)  # inside the demo SCJ001 (granite), clear of the reference mines
BLANK = (111.45, 43.70)  # inside the city, in no zone and no prohibited area
URBAN = (111.98, 43.65)  # the demo urban boundary
SCJ003 = (111.55, 43.15)  # the demo sand pit


async def load_edition(service: RunningService) -> None:
    async with service.runtime.db.transaction() as session:
        await plans.create_edition(session=session, data=edition())


async def holder(service: RunningService, serial: int, name: str | None = None) -> str:
    response = await service.client.post(
        "/holders",
        json={"credit_code": credit_code(serial), "name": name or f"测试矿业{serial}"},
        headers=service.auth(Role.bureau_admin),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def mining_request(holder_id: str, *, at=SCJ001, area: float = 0.15, **changes) -> dict:
    body = copy.deepcopy(NEW_MINING_EXAMPLE)
    body.update(holder_id=holder_id, boundary=square(*at, area), area_km2=f"{area:.4f}")
    body.update(changes)
    return body


_serial = iter(range(1, 10**6))


async def add_right(
    service: RunningService,
    holder_id: str,
    *,
    at: tuple[float, float],
    area: float = 0.05,
    mineral: str = "construction_granite",
    scale: tuple[str, str] | None = ("6", "10k_m3_per_year"),
    status: str = "producing",
    level: str = "city",
    kind: str = "mining",
    zone: str | None = None,
    **extra,
) -> dict:
    """An existing right entered by the bureau (POST /rights); ``extra``: more fields."""
    body = {
        "licence_no": f"C15250120190{next(_serial):011d}",
        "kind": kind,
        "holder_id": holder_id,
        "mine_name": f"测试{mineral}矿",
        "mineral": mineral,
        "area_km2": f"{area:.4f}",
        "status": status,
        "valid_from": "2019-01-01",
        "valid_to": "2029-12-31",
        "licensing_level": level,
        "zone": zone,
        "boundary": square(*at, area),
        **extra,
    }
    if scale:
        body["scale"] = {"value": scale[0], "unit": scale[1]}
    response = await service.client.post(
        "/rights", json=body, headers=service.auth(Role.bureau_admin)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def events(service: RunningService, type_: str | None = None) -> list[tuple[str, str, dict]]:
    query = "SELECT type, key, convert_from(value, 'UTF8')::jsonb AS data FROM outbox"
    if type_:
        query += f" WHERE type = '{type_}'"
    async with service.runtime.db.transaction() as session:
        rows = await session.exec(text(query + " ORDER BY id"))
        return [(r.type, r.key, r.data) for r in rows]


async def count(service: RunningService, sql: str) -> int:
    async with service.runtime.db.transaction() as session:
        return (await session.exec(text(sql))).scalar_one()


def codes(result: dict) -> dict[str, dict]:
    return {v["code"]: v for v in result["violations"]}


def km2(value) -> Decimal:
    return Decimal(str(value))


def restoration_record(payload, source: str = "/services/restoration") -> Record:
    """``payload`` (an event about a right) as restoration-api publishes it, as a broker record."""
    return _published(payload, source)[1]


def _published(payload, source: str = "/services/restoration") -> tuple[CloudEvent, Record]:
    event = CloudEvent(
        type=payload.event_type,
        source=source,
        data=payload.model_dump(mode="json"),
        subject=str(payload.right_id),
    )
    headers = tuple((k, v.encode()) for k, v in event.headers())
    key = str(payload.right_id).encode()
    return event, Record("restoration.events", key, event.value(), headers)


def acceptance(right_id, *, closure: bool = True, application_id=None) -> AcceptancePassed:
    """restoration.acceptance.passed for ``right_id`` (a closure acceptance unless told)."""
    return AcceptancePassed(
        acceptance_id=uuid.uuid4(),
        right_id=right_id,
        closure=closure,
        case_id=uuid.uuid4(),
        application_id=application_id,
        accepted_area_ha="3.2",
        accepted_on=date(2026, 11, 27),
    )


def acceptance_passed(right_id: str, *, closure: bool = True, application_id=None):
    """restoration.acceptance.passed as restoration-api publishes it: (payload, envelope,
    broker record)."""
    payload = acceptance(right_id, closure=closure, application_id=application_id)
    return (payload, *_published(payload))
