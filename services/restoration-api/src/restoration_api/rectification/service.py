"""Rectification of a mine's restoration 限期整改: ordered with a deadline, resolved, or overdue
(then rights-api may suspend or close the mine, 第六章第二节二)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.restoration import (
    RectificationOrdered,
    RectificationOverdue,
    RectificationResolved,
)
from mining_rights import service as mining_rights
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.lookup import owned_or_404
from servicekit.pagination import Page
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api import rights
from restoration_api.deadlines import missed
from restoration_api.rectification.models import Rectification
from restoration_api.rectification.schemas import (
    RectificationCreate,
    RectificationPublic,
    RectificationResolve,
)
from restoration_api.rights import MineRows, MineStatusFilters, announce

RectificationEvent = RectificationOrdered | RectificationResolved | RectificationOverdue


def _deadline(r: Rectification, action: DeadlineAction) -> Deadline:
    return Deadline(
        id=f"restoration:rectification:{r.id}",
        kind="restoration_rectification",
        action=action,
        due_at=r.due_on,
        subject=str(r.right_id),
        audience=Audience(holder_id=str(r.holder_id)),
        title_zh="矿山地质环境治理限期整改",
    )


async def order(
    *, session: AsyncSession, data: RectificationCreate, caller: Principal, now: datetime
) -> RectificationPublic:
    mine = await mining_rights.get(session=session, right_id=data.right_id)
    if data.due_on <= clock.local_today(now):
        raise validation_error([FieldError(field="body.due_on", message="must be in the future")])
    rect = Rectification(
        **data.model_dump(),
        holder_id=mine.holder_id,
        status="ordered",
        ordered_by=caller.subject,
        ordered_at=now,
    )
    session.add(rect)
    await session.flush()
    await _announce(session, rect, RectificationOrdered, DeadlineAction.set, reason=rect.reason)
    return RectificationPublic.model_validate(rect, from_attributes=True)


async def _announce(
    session: AsyncSession,
    rect: Rectification,
    event: type[RectificationEvent],
    action: DeadlineAction,
    **extra: Any,
) -> None:
    """Publishes ``event`` about the order, its deadline at ``action``."""
    deadline = _deadline(rect, action)
    await announce(session, rect, event, rectification_id=rect.id, deadline=deadline, **extra)


async def get(
    *, session: AsyncSession, rectification_id: UUID, caller: Principal
) -> RectificationPublic:
    rect = await owned_or_404(
        session, Rectification, rectification_id, caller, what="rectification"
    )
    return RectificationPublic.model_validate(rect, from_attributes=True)


async def resolve(
    *,
    session: AsyncSession,
    rectification_id: UUID,
    data: RectificationResolve,
    caller: Principal,
    now: datetime,
) -> RectificationPublic:
    rect = await owned_or_404(
        session, Rectification, rectification_id, caller, what="rectification", for_update=True
    )
    if rect.status == "resolved":
        raise Conflict(f"Rectification {rect.id} is already resolved.")
    rect.status, rect.resolution, rect.resolved_at = "resolved", data.resolution, now
    session.add(rect)
    await session.flush()
    await _announce(session, rect, RectificationResolved, DeadlineAction.met, resolved_at=now)
    return RectificationPublic.model_validate(rect, from_attributes=True)


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """Job: orders whose date passed unresolved become overdue, each published once."""
    today = clock.local_today(now)
    late = await missed(session, Rectification, status="ordered", today=today)
    for rect in late:
        rect.status, rect.overdue_at = "overdue", now
        session.add(rect)
        await _announce(session, rect, RectificationOverdue, DeadlineAction.overdue)
    await session.flush()
    return len(late)


async def list_rectifications(
    rows: MineRows, filters: MineStatusFilters
) -> Page[RectificationPublic]:
    order = (Rectification.ordered_at, Rectification.id)
    return (await rows.of_holder(Rectification, filters, *order)).shaped(RectificationPublic)


async def follow_holder(*, session: AsyncSession, right_id: UUID) -> None:
    """The mine's unresolved orders pass to the holder the read model names (the right was
    transferred): the new holder answers for the land."""
    await rights.follow_holder(session, Rectification, right_id, done="resolved")
