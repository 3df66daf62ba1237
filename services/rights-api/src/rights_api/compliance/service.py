"""Rules for compliance orders 限期整改. Functions never commit: the caller owns the transaction.

An order carries a deadline (a local date). When the date passes unresolved, the sweep marks it
overdue and suspends the mine 停产整治 (DOMAIN: 越界开采 means suspension until fixed;
第六章第二节二: overdue means suspension or closure). Resolving the order returns the mine to
the status it had.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import EventPayload
from contracts.deadline import Deadline, DeadlineAction
from contracts.mining import RightStatus
from contracts.rights import ComplianceOrdered, ComplianceOverdue, ComplianceResolved
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.pagination import Page, PageParams
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.compliance.models import ComplianceOrder, OrderStatus
from rights_api.compliance.schemas import (
    VIOLATIONS_ZH,
    OrderCreate,
    OrderFilters,
    OrderPublic,
    OrderResolve,
)
from rights_api.inspections.models import Inspection
from rights_api.rights import service as rights
from rights_api.rights.models import Right

JOB_ACTOR = "job:compliance_overdue"
WORKING = (RightStatus.under_construction, RightStatus.producing)


def deadline(order: ComplianceOrder, right: Right, action: DeadlineAction) -> Deadline:
    return rights.holder_deadline(
        right,
        action,
        id=f"rights.compliance.{order.id}",
        kind="rectification",
        due_at=order.due_on,
        title_zh=f"{right.mine_name}限期整改（{VIOLATIONS_ZH[order.violation]}）",
    )


async def _announce(
    session: AsyncSession,
    event: type[EventPayload],
    order: ComplianceOrder,
    right: Right,
    action: DeadlineAction,
    **fields: Any,
) -> None:
    await rights.publish_about(
        session, event, right, order_id=order.id, deadline=deadline(order, right, action), **fields
    )


async def issue(
    *, session: AsyncSession, data: OrderCreate, issuer: Principal, at: datetime | None = None
) -> OrderPublic:
    at = at or clock.now()
    right = await session.get(Right, data.right_id)
    errors = []
    if right is None:
        errors.append(FieldError(field="body.right_id", message=f"no right {data.right_id}"))
    if data.due_on <= clock.local_today(at):
        errors.append(
            FieldError(
                field="body.due_on", message="the deadline must be after today (Beijing time)"
            )
        )
    if data.inspection_id is not None:
        inspection = await session.get(Inspection, data.inspection_id)
        if inspection is None or (right is not None and inspection.right_id != right.id):
            errors.append(
                FieldError(
                    field="body.inspection_id",
                    message=f"no inspection {data.inspection_id} of this right",
                )
            )
    if errors:
        raise validation_error(errors)
    assert right is not None
    if not right.live:
        raise Conflict(f"Right {right.licence_no} is {right.status}; a closed mine gets no order.")
    order = ComplianceOrder(
        **data.model_dump(), status=OrderStatus.open, issued_by=issuer.subject, issued_at=at
    )
    session.add(order)
    await session.flush()
    await _announce(
        session,
        ComplianceOrdered,
        order,
        right,
        DeadlineAction.set,
        violation=order.violation,
        inspection_id=order.inspection_id,
    )
    return public(order)


async def get(
    *, session: AsyncSession, order_id: UUID, caller: Principal, for_update: bool = False
) -> ComplianceOrder:
    """404 too for another holder's order (BOLA: nothing is learned about it)."""
    what = "compliance order"
    order, _ = await rights.on_visible_right(
        session, ComplianceOrder, order_id, caller=caller, what=what, for_update=for_update
    )
    return order


def public(order: ComplianceOrder) -> OrderPublic:
    return OrderPublic.model_validate(
        {**dict(order), "violation_zh": VIOLATIONS_ZH[order.violation]}
    )


async def show(*, session: AsyncSession, order_id: UUID, caller: Principal) -> OrderPublic:
    return public(await get(session=session, order_id=order_id, caller=caller))


async def list_orders(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: OrderFilters
) -> Page[OrderPublic]:
    rows = await rights.visible_page(
        session=session,
        model=ComplianceOrder,
        filters=filters,
        caller=caller,
        page=page,
        order=(ComplianceOrder.issued_at, ComplianceOrder.id),
    )
    return rows.with_items([public(r) for r in rows.items])


async def resolve(
    *, session: AsyncSession, order_id: UUID, data: OrderResolve, actor: Principal
) -> OrderPublic:
    order = await get(session=session, order_id=order_id, caller=actor, for_update=True)
    if order.status == OrderStatus.resolved:
        raise Conflict(f"Compliance order {order.id} is already resolved.")
    right = await rights.get_right(session=session, right_id=order.right_id, for_update=True)
    at = clock.now()
    order.status = OrderStatus.resolved
    order.resolved_at, order.resolved_by, order.resolution = at, actor.subject, data.resolution
    order.version += 1
    if order.suspended_from is not None:
        still_overdue = (
            await session.exec(
                select(ComplianceOrder)
                .where(
                    ComplianceOrder.right_id == right.id,
                    ComplianceOrder.status == OrderStatus.overdue,
                    ComplianceOrder.id != order.id,
                )
                .order_by(ComplianceOrder.due_on, ComplianceOrder.id)
                .with_for_update()
            )
        ).first()
        if still_overdue is not None:
            # the mine stays suspended for the other order, which resumes it when resolved
            still_overdue.suspended_from = order.suspended_from
            session.add(still_overdue)
        elif data.resume_mine and right.status == RightStatus.suspended:
            holds = await rights.active_holds(session=session, right_id=right.id)
            if holds:
                # still suspended for another reason (the bureau, an overdue restoration
                # rectification): that hold resumes the mine when it is lifted
                if holds[0].status_before is None:
                    holds[0].status_before = order.suspended_from
                    session.add(holds[0])
            else:
                await rights.change_status(
                    session=session,
                    right=right,
                    to=order.suspended_from,
                    actor=actor.subject,
                    reason=f"compliance order {order.id} resolved "
                    f"整改完成，恢复{order.suspended_from}",
                )
                order.mine_resumed = True
    session.add(order)
    await session.flush()
    await _announce(session, ComplianceResolved, order, right, DeadlineAction.met, resolved_at=at)
    return public(order)


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """The sweep (job ``compliance_overdue``): every open order whose local due date has
    passed becomes overdue, suspends its mine unless already suspended or closed, and publishes
    ``rights.compliance.overdue``. Returns how many orders it marked."""
    orders = (
        await session.exec(
            select(ComplianceOrder)
            .where(
                ComplianceOrder.status == OrderStatus.open,
                ComplianceOrder.due_on < clock.local_today(now),
            )
            .order_by(ComplianceOrder.due_on, ComplianceOrder.id)
            .with_for_update(skip_locked=True)  # one being resolved right now is left alone
        )
    ).all()
    for order in orders:
        right = await rights.get_right(session=session, right_id=order.right_id, for_update=True)
        order.status = OrderStatus.overdue
        order.overdue_at = now
        order.version += 1
        # only a working mine is suspended: a closing one (voluntary or by policy) would lose
        # its place in the closure path, an ended or closed one has nothing to stop
        if right.status in WORKING:
            order.suspended_from = RightStatus(right.status)
            await rights.change_status(
                session=session,
                right=right,
                to=RightStatus.suspended,
                actor=JOB_ACTOR,
                reason="compliance_overdue",
                order_id=order.id,
            )
        session.add(order)
        await _announce(session, ComplianceOverdue, order, right, DeadlineAction.overdue)
    await session.flush()
    return len(orders)
