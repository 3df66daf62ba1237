"""Rectification of a mine's restoration 限期整改: ordered with a deadline, resolved, or overdue
(then rights-api may suspend or close the mine, 第五章第二节二)."""

from datetime import datetime
from uuid import UUID

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.restoration import (
    RectificationOrdered,
    RectificationOverdue,
    RectificationResolved,
)
from mining_rights import MiningRight
from mining_rights import service as mining_rights
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.events.outbox import publish
from servicekit.lookup import owned_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.rectification.models import Rectification
from restoration_api.rectification.schemas import RectificationCreate
from restoration_api.rights import filtered, own_holder


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
) -> Rectification:
    mine = await mining_rights.get(session=session, right_id=data.right_id)
    if data.due_on <= clock.local_today(now):
        raise validation_error([FieldError(field="body.due_on", message="must be in the future")])
    rect = Rectification(
        right_id=mine.right_id,
        holder_id=mine.holder_id,
        reason=data.reason,
        due_on=data.due_on,
        status="ordered",
        ordered_by=caller.subject,
        ordered_at=now,
    )
    session.add(rect)
    await session.flush()
    await publish(
        session,
        RectificationOrdered(
            rectification_id=rect.id,
            right_id=rect.right_id,
            holder_id=rect.holder_id,
            reason=rect.reason,
            deadline=_deadline(rect, DeadlineAction.set),
        ),
        subject=str(rect.right_id),
    )
    return rect


async def get(
    *, session: AsyncSession, rectification_id: UUID, caller: Principal, for_update: bool = False
) -> Rectification:
    return await owned_or_404(
        session,
        Rectification,
        rectification_id,
        caller,
        what="rectification",
        for_update=for_update,
    )


async def resolve(
    *,
    session: AsyncSession,
    rectification_id: UUID,
    caller: Principal,
    resolution: str,
    now: datetime,
) -> Rectification:
    rect = await get(
        session=session, rectification_id=rectification_id, caller=caller, for_update=True
    )
    if rect.status == "resolved":
        raise Conflict(f"Rectification {rect.id} is already resolved.")
    rect.status, rect.resolution, rect.resolved_at = "resolved", resolution, now
    session.add(rect)
    await session.flush()
    await publish(
        session,
        RectificationResolved(
            rectification_id=rect.id,
            right_id=rect.right_id,
            holder_id=rect.holder_id,
            resolved_at=now,
            deadline=_deadline(rect, DeadlineAction.met),
        ),
        subject=str(rect.right_id),
    )
    return rect


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """Job: orders whose date passed unresolved become overdue, each published once."""
    today = clock.local_today(now)
    late = (
        await session.exec(
            select(Rectification)
            .where(Rectification.status == "ordered", Rectification.due_on < today)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for rect in late:
        rect.status, rect.overdue_at = "overdue", now
        session.add(rect)
        await publish(
            session,
            RectificationOverdue(
                rectification_id=rect.id,
                right_id=rect.right_id,
                holder_id=rect.holder_id,
                deadline=_deadline(rect, DeadlineAction.overdue),
            ),
            subject=str(rect.right_id),
        )
    await session.flush()
    return len(late)


async def list_rectifications(
    *,
    session: AsyncSession,
    caller: Principal,
    page: PageParams,
    right_id: UUID | None,
    status: str | None,
) -> Page[Rectification]:
    query = filtered(
        select(Rectification),
        (Rectification.holder_id, own_holder(caller)),
        (Rectification.right_id, right_id),
        (Rectification.status, status),
    )
    return await paginate(session, query, page, order=(Rectification.ordered_at, Rectification.id))


async def follow_holder(*, session: AsyncSession, right_id: UUID) -> None:
    """The mine's unresolved orders pass to the holder the read model names (the right was
    transferred): the new holder answers for the land."""
    mine = await session.get(MiningRight, right_id)
    if mine is not None:
        await session.exec(
            update(Rectification)
            .where(Rectification.right_id == right_id, Rectification.status != "resolved")
            .values(holder_id=mine.holder_id)
        )
