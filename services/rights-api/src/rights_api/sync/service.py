"""Offline sync for inspection apps. Functions never commit: the request owns the transaction.

A sync computes the inspector's whole set (the mines assigned to it, their open orders, their
recent inspections), hashes each object in the form it is sent, and stores the set of hashes
under a token derived from the inspector and the set. ``since=<token>`` is answered with the
objects whose hash differs from that snapshot and tombstones for the keys no longer in the set:
what was deleted, closed, moved out of the window, or taken off the inspector. No clock is
compared, so the apps' clock skew and the servers' do not matter, and every source counts,
restoration's rectification orders included.
"""

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from contracts.restoration import RectificationOrdered
from servicekit import clock
from servicekit.errors import FieldError, validation_error
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.assignments.models import Assignment
from rights_api.compliance.models import ComplianceOrder, OrderStatus
from rights_api.inspections import service as inspections
from rights_api.inspections.models import Inspection
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings
from rights_api.sync.models import RectificationCopy, SyncSnapshot
from rights_api.sync.schemas import SCHEMA_VERSION, SyncMine, SyncOrder, SyncPayload, Tombstone

OPEN_RECTIFICATION = ("ordered", "overdue")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _hash(value: Any) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()


async def _snapshot(
    *, session: AsyncSession, settings: RightsSettings, token: str, inspector: str
) -> SyncSnapshot:
    """The snapshot behind ``token``: the inspector's own, and not expired."""
    row = await session.get(SyncSnapshot, token)
    oldest = clock.now() - timedelta(days=settings.sync_token_days)
    if row is None or row.inspector != inspector or row.used_at < oldest:
        raise validation_error(
            [
                FieldError(
                    field="query.since",
                    message="unknown sync token (expired, or not this inspector's): "
                    "sync without since",
                )
            ]
        )
    return row


async def _mines(session: AsyncSession, inspector: str) -> list[dict[str, Any]]:
    rows = (
        await session.exec(
            select(Assignment, Right)
            .join(Right, Right.id == Assignment.right_id)
            .where(Assignment.inspector == inspector, col(Assignment.ended_at).is_(None))
        )
    ).all()
    draws: dict[UUID, set[UUID]] = {}
    rights: dict[UUID, Right] = {}
    for assignment, right in rows:
        rights[right.id] = right
        found = draws.setdefault(right.id, set())
        if assignment.patrol_draw_id is not None:
            found.add(assignment.patrol_draw_id)
    return [
        SyncMine.model_validate(
            {
                **{
                    name: getattr(right, name)
                    for name in SyncMine.model_fields
                    if name != "patrol_draw_ids"
                },
                "patrol_draw_ids": sorted(draws[right.id], key=str),
            }
        ).model_dump(mode="json")
        for right in sorted(rights.values(), key=lambda r: str(r.id))
    ]


async def _orders(session: AsyncSession, right_ids: list[UUID]) -> list[dict[str, Any]]:
    compliance = (
        await session.exec(
            select(ComplianceOrder)
            .where(
                col(ComplianceOrder.right_id).in_(right_ids),
                col(ComplianceOrder.status).in_((OrderStatus.open, OrderStatus.overdue)),
            )
            .order_by(ComplianceOrder.id)
        )
    ).all()
    rectifications = (
        await session.exec(
            select(RectificationCopy)
            .where(
                col(RectificationCopy.right_id).in_(right_ids),
                col(RectificationCopy.status).in_(OPEN_RECTIFICATION),
            )
            .order_by(RectificationCopy.id)
        )
    ).all()
    orders = [
        SyncOrder(
            kind="compliance",
            id=o.id,
            right_id=o.right_id,
            status=o.status,
            due_on=o.due_on,
            violation=o.violation,
            description=o.description,
            inspection_id=o.inspection_id,
        )
        for o in compliance
    ] + [
        SyncOrder(
            kind="rectification",
            id=r.id,
            right_id=r.right_id,
            status=r.status,
            due_on=r.due_on,
            description=r.reason,
        )
        for r in rectifications
    ]
    return [o.model_dump(mode="json") for o in orders]


async def _inspections(
    session: AsyncSession, settings: RightsSettings, right_ids: list[UUID]
) -> list[dict[str, Any]]:
    since = clock.now() - timedelta(days=settings.sync_inspection_days)
    rows = (
        await session.exec(
            select(Inspection)
            .where(col(Inspection.right_id).in_(right_ids), Inspection.inspected_at >= since)
            .order_by(Inspection.inspected_at, Inspection.id)
        )
    ).all()
    shown = await inspections.public(session=session, inspections=list(rows))
    return [i.model_dump(mode="json") for i in shown]


async def sync(
    *, session: AsyncSession, settings: RightsSettings, inspector: str, since: str | None
) -> dict[str, Any]:
    """The payload (JSON-ready, in the shape of ``SyncPayload``) for ``inspector``."""
    previous = None
    if since is not None:
        previous = await _snapshot(
            session=session, settings=settings, token=since, inspector=inspector
        )
    mines = await _mines(session, inspector)
    right_ids = [UUID(m["id"]) for m in mines]
    orders = await _orders(session, right_ids)
    records = await _inspections(session, settings, right_ids)
    groups = {"mine": mines, "order": orders, "inspection": records}
    hashes = {
        f"{kind}:{item['id']}": _hash(item) for kind, items in groups.items() for item in items
    }
    token = "s1." + hashlib.sha256(inspector.encode() + b"\n" + _canonical(hashes)).hexdigest()[:40]
    now = clock.now()
    await session.exec(
        insert(SyncSnapshot)
        .values(token=token, inspector=inspector, items=hashes, created_at=now, used_at=now)
        .on_conflict_do_update(index_elements=["token"], set_={"used_at": now})
    )
    removed: list[dict[str, str]] = []
    if previous is not None:
        before: dict[str, str] = previous.items
        for kind, items in groups.items():
            items[:] = [
                i for i in items if before.get(f"{kind}:{i['id']}") != hashes[f"{kind}:{i['id']}"]
            ]
        for key in sorted(before.keys() - hashes.keys()):
            kind, _, object_id = key.partition(":")
            removed.append(Tombstone(kind=kind, id=UUID(object_id)).model_dump(mode="json"))
    return SyncPayload(
        schema_version=SCHEMA_VERSION,
        token=token,
        since=since,
        mines=mines,
        orders=orders,
        inspections=records,
        removed=removed,
    ).model_dump(mode="json")


async def purge_tokens(session: AsyncSession, now: datetime) -> int:
    """Job ``sync_tokens``: forget snapshots unused for ``sync_token_days`` (an app holding
    such a token is refused and syncs in full)."""
    settings: RightsSettings = session.info["settings"]
    result = await session.exec(
        delete(SyncSnapshot).where(
            SyncSnapshot.used_at < now - timedelta(days=settings.sync_token_days)
        )
    )
    return result.rowcount


async def rectification_ordered(*, session: AsyncSession, payload: RectificationOrdered) -> None:
    await session.exec(
        insert(RectificationCopy)
        .values(
            id=payload.rectification_id,
            right_id=payload.right_id,
            holder_id=payload.holder_id,
            reason=payload.reason,
            due_on=payload.deadline.due_at,
            status="ordered",
            updated_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )


async def rectification_moved(*, session: AsyncSession, payload: Any, status: str) -> None:
    """An overdue or resolved order (one never seen ordered, from before this read model,
    is not kept: it is no open order the app needs)."""
    row = await session.get(RectificationCopy, payload.rectification_id)
    if row is None:
        return
    row.status, row.updated_at = status, clock.now()
    session.add(row)
    await session.flush()
