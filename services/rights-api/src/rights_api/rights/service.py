"""The register of rights: lookups, history, status changes, suspension holds, grants, and the
changes an approved application makes to a right (renewal, transfer, change; a mortgage filing
is ``mortgages``). Functions never commit: the request or the consumer owns the transaction."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from contracts import EventPayload
from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.mining import MiningMethod, RightKind, RightStatus, Scale
from contracts.rights import (
    MineClosed,
    RightChanged,
    RightGranted,
    RightRenewed,
    RightStatusChanged,
    RightSuspended,
    RightTransferred,
)
from pydantic import BaseModel
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from servicekit.events.outbox import publish
from servicekit.lookup import get_or_404, owned_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import Select, false, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.holders.models import Holder
from rights_api.rights.models import (
    CLOSED,
    CapReservation,
    LiveMineTally,
    Right,
    RightHistory,
    SuspensionHold,
)
from rights_api.rights.schemas import RightFilters
from rights_api.rights.spatial import bbox_overlaps
from rights_api.versions import touch

ERENHOT_DIVISION = "152501"  # 二连浩特市 administrative division code (GB/T 2260)

Row = TypeVar("Row")


async def get_right(
    *,
    session: AsyncSession,
    right_id: UUID,
    principal: Principal | None = None,
    for_update: bool = False,
) -> Right:
    """The right, or 404. An enterprise asking for another holder's right gets the same 404:
    it learns nothing about rights that are not its own (BOLA)."""
    return await owned_or_404(
        session, Right, right_id, principal, what="right", for_update=for_update
    )


async def on_visible_right(
    session: AsyncSession,
    model: type[Row],
    key: UUID,
    *,
    caller: Principal,
    what: str,
    for_update: bool = False,
) -> tuple[Row, Right]:
    """A row about a right (a filing, an inspection, an order: its ``right_id``) with its right,
    or 404 "No {what} {key}.", the same when the right is another holder's (BOLA)."""
    row = await get_or_404(session, model, key, what=what, for_update=for_update)
    right = await session.get(Right, row.right_id)
    if right is None or not caller.sees_holder(right.holder_id):
        raise NotFound(f"No {what} {key}.")
    return row, right


def visible(query: Select[Any], right_id: Any, caller: Principal) -> Select[Any]:
    """``query`` over rows about rights (``right_id`` their column), limited to the caller's
    own rights when the caller is an enterprise."""
    if caller.own_holder is None:
        return query
    return query.join(Right, Right.id == right_id).where(Right.holder_id == caller.own_holder)


async def visible_page(
    *,
    session: AsyncSession,
    model: Any,
    filters: BaseModel,
    caller: Principal,
    page: PageParams,
    order: tuple[Any, ...] | None = None,
) -> Page[Any]:
    """A page of ``model``'s rows about rights (its column ``right_id``) as ``visible`` shows
    them: ``filters``' given fields name ``model``'s columns; ordered by ``order`` (default
    ``created_at``, ``id``)."""
    # filter_by names the model's columns as long as nothing is joined yet
    query = select(model).filter_by(**filters.model_dump(exclude_none=True))
    query = visible(query, model.right_id, caller)
    return await paginate(session, query, page, order=order or (model.created_at, model.id))


async def _publish(
    session: AsyncSession, event: type[EventPayload], right: Right, **fields: Any
) -> None:
    """Publish one of the register's own events: it names the right and its new version, and
    carries the right's columns it names the same way (licence_no, holder_id, valid_to...) as the
    right has them now; ``fields`` are the rest."""
    shared = [name for name in event.model_fields if name in Right.model_fields]
    columns = {name: getattr(right, name) for name in shared}
    payload = event(**{**columns, **fields}, right_id=right.id, right_version=right.version)
    await publish(session, payload, subject=str(right.id))


async def publish_about(
    session: AsyncSession, event: type[EventPayload], right: Right, **fields: Any
) -> None:
    """Publish ``event`` about something of ``right`` (a filing, an inspection, an order),
    naming the right and its holder, keyed by the right so it keeps the right's order."""
    payload = event(right_id=right.id, holder_id=right.holder_id, **fields)
    await publish(session, payload, subject=str(right.id))


def holder_deadline(right: Right, action: DeadlineAction, **fields: Any) -> Deadline:
    """A deadline on ``right`` for its holder to meet (``fields``: its ``id``, ``kind``,
    ``due_at``, ``title_zh``)."""
    audience = Audience(holder_id=str(right.holder_id))
    return Deadline(action=action, subject=str(right.id), audience=audience, **fields)


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
        at=at or clock.now(),
        actor=actor,
        action=action,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
    )
    session.add(entry)
    return entry


async def _amend(
    session: AsyncSession,
    right: Right,
    actor: str,
    action: str,
    reason: str | None,
    at: datetime | None = None,
    *,
    from_status: RightStatus | None = None,
    to_status: RightStatus | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """A new version of ``right`` and the history line saying what changed."""
    touch(right, at)
    session.add(right)
    await record(
        session=session,
        right=right,
        actor=actor,
        action=action,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
        at=at,
    )


async def change_status(
    *,
    session: AsyncSession,
    right: Right,
    to: RightStatus,
    actor: str,
    reason: str | None,
    order_id: UUID | None = None,
    **suspension: Any,
) -> Right:
    """Move a right to status ``to``: history line, version bump and the event, in the caller's
    transaction. Suspension publishes ``rights.right.suspended`` (``order_id``: the compliance
    order that caused it; ``suspension``: its ``cause``, ``clause``, ``rectification_id``),
    closure ``rights.mine.closed``, anything else ``rights.right.status_changed``. A closed mine
    stays closed (409)."""
    before = RightStatus(right.status)
    to = RightStatus(to)
    if before in CLOSED:
        raise Conflict(f"Right {right.licence_no} is {before.value}; a closed mine stays closed.")
    if before == to:
        raise Conflict(f"Right {right.licence_no} is already {to.value}.")
    at = clock.now()
    right.status = to
    await _amend(
        session, right, actor, "status_changed", reason, at, from_status=before, to_status=to
    )
    await session.flush()
    if to == RightStatus.suspended:
        reason = reason or "suspended"
        await _publish(
            session,
            RightSuspended,
            right,
            reason=reason,
            order_id=order_id,
            suspended_at=at,
            **suspension,
        )
    elif to in CLOSED:
        await _publish(session, MineClosed, right, closed_at=at, reason=reason)
    else:
        await _publish(
            session,
            RightStatusChanged,
            right,
            from_status=before,
            to_status=to,
            reason=reason,
            changed_at=at,
        )
    return right


async def move(
    *,
    session: AsyncSession,
    right: Right,
    to: RightStatus,
    actor: str,
    action: str,
    why: str,
    event: type[EventPayload],
    at: datetime,
    **fields: Any,
) -> None:
    """Move a right to status ``to`` at ``at`` and publish ``event`` about it (a resumption, an
    ending): history line ``action`` saying ``why``, version bump, and the event with the right's
    columns and ``fields``, in the caller's transaction. A closed mine stays closed (409)."""
    before = RightStatus(right.status)
    if before in CLOSED:
        raise Conflict(f"Right {right.licence_no} is {before.value}; a closed mine stays closed.")
    right.status = RightStatus(to)
    await _amend(session, right, actor, action, why, at, from_status=before, to_status=right.status)
    await session.flush()
    await _publish(session, event, right, **fields)


async def publish_news(
    session: AsyncSession, event: type[EventPayload], right: Right, **fields: Any
) -> None:
    """Publish a ``RightNews`` event about ``right`` at its current version (after a change
    recorded with ``record_change``)."""
    await _publish(session, event, right, **fields)


async def record_change(
    *,
    session: AsyncSession,
    right: Right,
    actor: str,
    action: str,
    reason: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """A new version of ``right`` whose status stays, with the history line saying why."""
    await _amend(session, right, actor, action, reason, changes=changes)


# --- suspension holds 停产整治的原因 -------------------------------------------------------


async def active_holds(
    *, session: AsyncSession, right_id: UUID, excluding: UUID | None = None
) -> list[SuspensionHold]:
    """The holds keeping ``right_id`` suspended (oldest first, locked)."""
    query = select(SuspensionHold).where(
        SuspensionHold.right_id == right_id, SuspensionHold.lifted_at.is_(None)
    )
    if excluding is not None:
        query = query.where(SuspensionHold.id != excluding)
    query = query.order_by(SuspensionHold.held_at, SuspensionHold.id).with_for_update()
    return list((await session.exec(query)).all())


# --- entering the register ---------------------------------------------------------------


async def next_licence_no(*, session: AsyncSession, kind: RightKind, on: date) -> str:
    """A new licence number in the 23-character shape: T/C, the division code of Erenhot
    (152501), year and month of grant, and a 10-digit serial from a database sequence."""
    serial = await session.scalar(text("SELECT nextval('licence_serial')"))
    letter = "C" if kind == RightKind.mining else "T"
    return f"{letter}{ERENHOT_DIVISION}{on:%Y%m}{serial:010d}"


def term_end(start: date, years: int) -> date:
    """The last day of a term of ``years`` starting on ``start`` (29 February: the 28th)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(days=1)


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
    await _publish(
        session,
        RightGranted,
        right,
        holder_name=holder_name,
        scale=scale_of(right),
        granted_at=right.created_at,
    )
    return right


def scale_of(right: Right) -> Scale | None:
    if right.scale_value is None or right.scale_unit is None:
        return None
    return Scale(value=right.scale_value, unit=right.scale_unit)


# --- what an approved application changes ------------------------------------------------


async def renew(
    *, session: AsyncSession, right: Right, term_years: int, actor: str, reason: str
) -> Right:
    """A new term from the day after the validity ends (from today when it has ended)."""
    start = max(right.valid_to + timedelta(days=1), clock.local_today())
    before = right.valid_to
    right.valid_to = term_end(start, term_years)
    changes = {"valid_to": [before.isoformat(), right.valid_to.isoformat()]}
    await _amend(session, right, actor, "renewed", reason, changes=changes)
    await _publish(session, RightRenewed, right, renewed_at=right.updated_at)
    return right


async def transfer(
    *, session: AsyncSession, right: Right, to_holder_id: UUID, actor: str, reason: str
) -> Right:
    before = right.holder_id
    to = await session.get(Holder, to_holder_id)
    right.holder_id = to_holder_id
    changes = {"holder_id": [str(before), str(right.holder_id)]}
    await _amend(session, right, actor, "transferred", reason, changes=changes)
    await _publish(
        session,
        RightTransferred,
        right,
        from_holder_id=before,
        to_holder_id=right.holder_id,
        to_holder_name=to.name if to else None,
        transferred_at=right.updated_at,
    )
    return right


async def change(
    *,
    session: AsyncSession,
    right: Right,
    mine_name: str | None,
    method: MiningMethod | None,
    scale: Scale | None,
    actor: str,
    reason: str,
    elevation: tuple[Decimal, Decimal] | None = None,
) -> Right:
    """Change the mine's name, method, scale or licensed elevation range (top, bottom), those
    given."""
    changes: dict[str, list[Any]] = {}
    if mine_name is not None and mine_name != right.mine_name:
        changes["mine_name"] = [right.mine_name, mine_name]
        right.mine_name = mine_name
    if method is not None and method != right.method:
        changes["method"] = [right.method, method.value]
        right.method = method
    if scale is not None:
        before = scale_of(right)
        changes["scale"] = [
            before.model_dump(mode="json") if before else None,
            scale.model_dump(mode="json"),
        ]
        right.scale_value, right.scale_unit = scale.value, scale.unit
    if elevation is not None:
        before_range = [right.elevation_top_m, right.elevation_bottom_m]
        changes["elevation"] = [
            [str(v) if v is not None else None for v in before_range],
            [str(v) for v in elevation],
        ]
        right.elevation_top_m, right.elevation_bottom_m = elevation
    await _amend(session, right, actor, "changed", reason, changes=changes)
    await _publish(
        session,
        RightChanged,
        right,
        scale=scale_of(right),
        changes=sorted(changes),
        changed_at=right.updated_at,
    )
    return right


# --- reading the register ------------------------------------------------------------------


def _matching(filters: RightFilters, caller: Principal | None) -> Select[Any]:
    box = _bbox(filters.bbox) if filters.bbox else None  # a bad one is a 422 whoever asks
    equal = filters.model_dump(include={"mineral", "status", "zone", "kind"}, exclude_none=True)
    query = select(Right).filter_by(**equal)
    holder_id = filters.holder_id
    if caller is not None and caller.own_holder is not None:
        if holder_id is not None and holder_id != caller.own_holder:
            return query.where(false())
        holder_id = caller.own_holder
    if holder_id is not None:
        query = query.where(Right.holder_id == holder_id)
    if filters.expiring_before is not None:
        query = query.where(Right.valid_to < filters.expiring_before)
    if box is not None:
        query = query.where(bbox_overlaps(box))
    return query


def _bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in raw.split(","))
    except ValueError:
        min_lon = None
    if min_lon is None or not (min_lon <= max_lon and min_lat <= max_lat):
        raise validation_error(
            [
                FieldError(
                    field="query.bbox",
                    message="four numbers min_lon,min_lat,max_lon,max_lat with min ≤ max",
                )
            ]
        )
    return min_lon, min_lat, max_lon, max_lat


async def list_rights(
    *, session: AsyncSession, filters: RightFilters, caller: Principal | None, page: PageParams
) -> Page[Right]:
    query = _matching(filters, caller)
    return await paginate(session, query, page, order=(Right.created_at, Right.id))


async def first_rights(
    *, session: AsyncSession, filters: RightFilters, caller: Principal | None, limit: int
) -> list[Right]:
    """At most ``limit`` matching rights in the register's order (the GeoJSON export)."""
    query = _matching(filters, caller).order_by(Right.created_at, Right.id).limit(limit)
    return list((await session.exec(query)).all())


async def history(
    *, session: AsyncSession, right_id: UUID, caller: Principal, page: PageParams
) -> Page[RightHistory]:
    """The right's history, oldest first; 404 as for the right itself."""
    right = await get_right(session=session, right_id=right_id, principal=caller)
    query = select(RightHistory).where(RightHistory.right_id == right.id)
    return await paginate(session, query, page, order=(RightHistory.at, RightHistory.id))


async def live_tallies(*, session: AsyncSession) -> list[tuple[str, str, str, int, Decimal]]:
    """(mineral, level, scale unit, mines, output) of live mining rights: trigger-kept tallies."""
    query = select(
        LiveMineTally.mineral,
        LiveMineTally.licensing_level,
        LiveMineTally.scale_unit,
        LiveMineTally.mines,
        LiveMineTally.output,
    ).where(LiveMineTally.mines > 0)
    return list((await session.exec(query)).all())


async def cap_reservations(
    *, session: AsyncSession, excluding: UUID | None = None
) -> list[CapReservation]:
    """The places open market-grant offerings hold under the caps (trigger-kept), but the one
    of the offering ``excluding`` (judged again at its award), oldest block id first."""
    query = select(CapReservation).order_by(CapReservation.block_id)
    if excluding is not None:
        query = query.where(CapReservation.offering_id != excluding)
    return list((await session.exec(query)).all())
