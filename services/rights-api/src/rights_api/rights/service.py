"""Rules for rights. Functions never commit: the request or the consumer owns the transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.mining import RightKind, RightStatus, Scale
from contracts.rights import MineClosed, RightGranted, RightStatusChanged, RightSuspended
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, Unprocessable, validation_error
from servicekit.events.outbox import publish
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, func, text, tuple_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.filings import service as filings
from rights_api.holders.models import Holder
from rights_api.plan.schemas import AdmissionRules, Violation
from rights_api.rights.geometry import (
    Boundary,
    CornerError,
    GeometryFault,
    area_fault,
    check_polygon,
    corners_to_polygon,
    geodesic_area_km2,
    interiors_overlap,
    to_shape,
)
from rights_api.rights.models import Right, RightHistory, now
from rights_api.rights.schemas import BoundaryInput, RightCreate, RightFilters

ERENHOT_DIVISION = "152501"  # 二连浩特市 administrative division code (GB/T 2260)

CLOSED = (RightStatus.closed, RightStatus.closed_by_policy)


async def get_right(
    *,
    session: AsyncSession,
    right_id: UUID,
    principal: Principal | None = None,
    for_update: bool = False,
) -> Right:
    """The right, or 404. An enterprise asking for another holder's right gets the same 404:
    it learns nothing about rights that are not its own (BOLA)."""
    right = await session.get(Right, right_id, with_for_update=for_update)
    if right is None or (principal is not None and not principal.sees_holder(right.holder_id)):
        raise NotFound(f"No right {right_id}.")
    return right


async def record(
    *,
    session: AsyncSession,
    right: Right,
    actor: str,
    action: str,
    reason: str | None = None,
    from_status: RightStatus | None = None,
    to_status: RightStatus | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> RightHistory:
    """One line of the right's history 变更记录."""
    entry = RightHistory(
        right_id=right.id,
        at=at or now(),
        actor=actor,
        action=action,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
    )
    session.add(entry)
    return entry


def touch(right: Right, at: datetime | None = None) -> None:
    right.version += 1
    right.updated_at = at or now()


async def change_status(
    *,
    session: AsyncSession,
    right: Right,
    to: RightStatus,
    actor: str,
    reason: str | None,
    order_id: UUID | None = None,
) -> Right:
    """Move a right to status ``to``: history line, version bump and the event, in the caller's
    transaction. Suspension publishes ``rights.right.suspended`` (``order_id``: the compliance
    order that caused it), closure ``rights.mine.closed``, anything else
    ``rights.right.status_changed``. A closed mine stays closed (409)."""
    before = RightStatus(right.status)
    to = RightStatus(to)
    if before in CLOSED:
        raise Conflict(f"Right {right.licence_no} is {before.value}; a closed mine stays closed.")
    if before == to:
        raise Conflict(f"Right {right.licence_no} is already {to.value}.")
    at = now()
    right.status = to
    touch(right, at)
    session.add(right)
    await record(
        session=session,
        right=right,
        actor=actor,
        action="status_changed",
        reason=reason,
        from_status=before,
        to_status=to,
        at=at,
    )
    await session.flush()
    if to == RightStatus.suspended:
        payload = RightSuspended(
            right_id=right.id,
            right_version=right.version,
            holder_id=right.holder_id,
            reason=reason or "suspended",
            order_id=order_id,
            suspended_at=at,
        )
    elif to in CLOSED:
        payload = MineClosed(
            right_id=right.id,
            right_version=right.version,
            holder_id=right.holder_id,
            licence_no=right.licence_no,
            status=to,
            closed_at=at,
            reason=reason,
        )
    else:
        payload = RightStatusChanged(
            right_id=right.id,
            right_version=right.version,
            holder_id=right.holder_id,
            from_status=before,
            to_status=to,
            reason=reason,
            changed_at=at,
        )
    await publish(session, payload, subject=str(right.id))
    return right


# --- the register -------------------------------------------------------------------------


def boundary_of(data: BoundaryInput) -> tuple[Boundary | None, list[GeometryFault]]:
    """Check the boundary sent as GeoJSON or as corners; (None, []) when none was sent."""
    polygon = data.boundary
    if data.corners is not None:
        try:
            polygon = corners_to_polygon(data.corners)
        except CornerError as exc:
            error = FieldError(field="body.corners.points", message=str(exc))
            raise validation_error([error]) from exc
    if polygon is None:
        return None, []
    return check_polygon(polygon)


def set_boundary(right: Right, boundary: Boundary | None) -> None:
    if boundary is None:
        right.boundary = None
        right.computed_area_km2 = None
        right.min_lon = right.min_lat = right.max_lon = right.max_lat = None
        return
    right.boundary = boundary.geojson
    right.computed_area_km2 = boundary.area_km2
    right.min_lon, right.min_lat, right.max_lon, right.max_lat = boundary.bbox


async def next_licence_no(*, session: AsyncSession, kind: RightKind, on: date) -> str:
    """A new licence number in the 23-character shape: T/C, the division code of Erenhot
    (152501), year and month of grant, and a 10-digit serial from a database sequence."""
    serial = await session.scalar(text("SELECT nextval('licence_serial')"))
    letter = "C" if kind == RightKind.mining else "T"
    return f"{letter}{ERENHOT_DIVISION}{on:%Y%m}{serial:010d}"


async def grant(
    *, session: AsyncSession, right: Right, actor: str, reason: str, holder_name: str | None = None
) -> Right:
    """Enter a new right in the register and publish ``rights.right.granted``."""
    session.add(right)
    await session.flush()
    await record(
        session=session,
        right=right,
        actor=actor,
        action="granted",
        reason=reason,
        to_status=RightStatus(right.status),
        at=right.created_at,
    )
    await publish(
        session,
        RightGranted(
            right_id=right.id,
            right_version=right.version,
            licence_no=right.licence_no,
            kind=right.kind,
            holder_id=right.holder_id,
            holder_name=holder_name,
            mine_name=right.mine_name,
            mineral=right.mineral,
            area_km2=right.area_km2,
            scale=scale_of(right),
            method=right.method,
            status=right.status,
            zone=right.zone,
            licensing_level=right.licensing_level,
            valid_from=right.valid_from,
            valid_to=right.valid_to,
            reference=right.reference,
            granted_at=right.created_at,
        ),
        subject=str(right.id),
    )
    today = filings.local_today(right.created_at)
    if right.status in filings.OBLIGED and right.valid_from <= today <= right.valid_to:
        # this year's filings are owed from the day of grant, not from the job's next round
        await filings.create_obligations_for(session=session, right=right, year=today.year)
    return right


def scale_of(right: Right) -> Scale | None:
    if right.scale_value is None or right.scale_unit is None:
        return None
    return Scale(value=right.scale_value, unit=right.scale_unit)


async def register_right(*, session: AsyncSession, data: RightCreate, actor: str) -> Right:
    """An existing right entered by the bureau: boundary checked, licence number unique."""
    holder = await session.get(Holder, data.holder_id)
    if holder is None:
        raise validation_error([FieldError(field="body.holder_id", message="no such holder")])
    if await session.scalar(select(Right.id).where(Right.licence_no == data.licence_no)):
        raise Conflict(f"Licence {data.licence_no} is already in the register.")
    boundary, faults = boundary_of(data)
    tolerance = AdmissionRules.model_fields["area_tolerance"].default
    if boundary is not None and (fault := area_fault(boundary.area_km2, data.area_km2, tolerance)):
        faults.append(fault)
    if faults:
        raise Unprocessable(
            "The boundary cannot be registered.",
            violations=[fault_violation(f, "第五章第三节").model_dump() for f in faults],
        )
    right = Right(
        **data.model_dump(exclude={"boundary", "corners", "scale"}, exclude_none=False),
        scale_value=data.scale.value if data.scale else None,
        scale_unit=data.scale.unit if data.scale else None,
    )
    set_boundary(right, boundary)
    return await grant(
        session=session, right=right, actor=actor, reason="registered", holder_name=holder.name
    )


async def list_rights(
    *,
    session: AsyncSession,
    filters: RightFilters,
    caller: Principal | None,
    limit: int,
    after: list[Any] | None = None,
) -> list[Right]:
    query = select(Right).order_by(Right.created_at, Right.id).limit(limit)
    holder_id = filters.holder_id
    if caller is not None and caller.own_holder is not None:
        if holder_id is not None and str(holder_id) != caller.own_holder:
            return []
        holder_id = UUID(caller.own_holder)
    if holder_id is not None:
        query = query.where(Right.holder_id == holder_id)
    for column, value in (
        (Right.mineral, filters.mineral),
        (Right.status, filters.status),
        (Right.zone, filters.zone),
        (Right.kind, filters.kind),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.expiring_before is not None:
        query = query.where(Right.valid_to < filters.expiring_before)
    if filters.bbox is not None:
        query = query.where(bbox_overlaps(filters.bbox))
    if after:
        created_at, right_id = after
        query = query.where(
            tuple_(Right.created_at, Right.id)
            > tuple_(datetime.fromisoformat(created_at), UUID(right_id))
        )
    return list((await session.exec(query)).all())


def bbox_overlaps(bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
    """``rights_bbox`` index test: the right's bounding box meets ``bbox``."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return func.box(
        func.point(Right.min_lon, Right.min_lat), func.point(Right.max_lon, Right.max_lat)
    ).op("&&")(func.box(func.point(min_lon, min_lat), func.point(max_lon, max_lat)))


@dataclass(frozen=True)
class Overlap:
    right_id: UUID
    licence_no: str
    holder_id: UUID
    shared_km2: Decimal


async def live_overlaps(
    *, session: AsyncSession, shape: BaseGeometry, exclude: UUID | None = None
) -> list[Overlap]:
    """Live rights whose licensed area shares ground with ``shape``: candidates by bounding box
    in SQL (GiST index ``rights_bbox``), then the exact test with shapely."""
    query = select(Right.id, Right.licence_no, Right.holder_id, Right.boundary).where(
        bbox_overlaps(shape.bounds), Right.status.not_in([s.value for s in CLOSED])
    )
    if exclude is not None:
        query = query.where(Right.id != exclude)
    found = []
    for right_id, licence_no, holder_id, boundary in (await session.exec(query)).all():
        other = to_shape(boundary)
        if interiors_overlap(shape, other):
            shared = geodesic_area_km2(shape.intersection(other))
            found.append(Overlap(right_id, licence_no, holder_id, shared))
    return found


async def history(*, session: AsyncSession, right: Right) -> list[RightHistory]:
    return list(
        (
            await session.exec(
                select(RightHistory)
                .where(RightHistory.right_id == right.id)
                .order_by(RightHistory.at, RightHistory.id)
            )
        ).all()
    )


def fault_violation(fault: GeometryFault, clause: str) -> Violation:
    return Violation(
        code=fault.code,
        clause=clause,
        message_zh=fault.message_zh,
        message_en=fault.message_en,
        numbers=fault.numbers,
    )
