"""Rules for rights. Functions never commit: the request or the consumer owns the transaction."""

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.mining import RightStatus
from contracts.rights import MineClosed, RightStatusChanged, RightSuspended
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.events.outbox import publish
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.rights.models import Right, RightHistory, now

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
    if right is None or (
        principal is not None
        and principal.own_holder is not None
        and principal.own_holder != str(right.holder_id)
    ):
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
            holder_id=right.holder_id,
            reason=reason or "suspended",
            order_id=order_id,
            suspended_at=at,
        )
    elif to in CLOSED:
        payload = MineClosed(
            right_id=right.id,
            holder_id=right.holder_id,
            licence_no=right.licence_no,
            status=to,
            closed_at=at,
            reason=reason,
        )
    else:
        payload = RightStatusChanged(
            right_id=right.id,
            holder_id=right.holder_id,
            from_status=before,
            to_status=to,
            reason=reason,
            changed_at=at,
        )
    await publish(session, payload, subject=str(right.id))
    return right
