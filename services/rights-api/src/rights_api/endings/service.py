"""The bureau's own actions on a right over the plan's life: suspension 停产整治 and resumption,
and the endings that lead into the closure path like a voluntary closure: revocation 吊销,
policy closure 政策性关闭 (第五章第二节: 加强停产矿山和政策性关闭矿山的管理), expiry of a licence
not renewed. An overdue restoration rectification suspends the mine until it is met (第六章第二节
二: 逾期不能达标的，实行停产整治或者关闭). Functions never commit.

A suspension is held by one or more causes (``SuspensionHold``: the bureau, a rectification; an
overdue compliance order holds it too through its ``suspended_from``): the mine resumes to the
status it had only when its last cause is lifted. An ended right (``RightEnding``) waits for
restoration-api's closure acceptance (``restoration.acceptance.passed``), which closes it:
``closed``, or ``closed_by_policy`` for a policy closure."""

from datetime import datetime
from uuid import UUID, uuid4

from contracts.deadline import DeadlineAction
from contracts.mining import RightStatus
from contracts.restoration import AcceptancePassed, RectificationOverdue, RectificationResolved
from contracts.rights import RightExpired, RightPolicyClosed, RightResumed, RightRevoked
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.compliance.models import ComplianceOrder, OrderStatus
from rights_api.rights import service as rights
from rights_api.rights.models import Right, RightEnding, SuspensionHold

SUSPENDABLE = (RightStatus.under_construction, RightStatus.producing)
ENDABLE = (RightStatus.under_construction, RightStatus.producing, RightStatus.suspended)
BUREAU = "bureau"
RECTIFICATION = "restoration_rectification"
RECTIFICATION_CLAUSE = "第六章第二节二"  # 逾期不能达标的，实行停产整治或者关闭
EXPIRY_JOB = "job:right_expiry"


def _refuse(right: Right, action: str, allowed: tuple[RightStatus, ...]) -> Conflict:
    return Conflict(
        f"Right {right.licence_no} is {right.status}; {action} needs one of "
        f"{', '.join(s.value for s in allowed)}.",
        right_status=str(right.status),
    )


async def _right(session: AsyncSession, right_id: UUID, caller: Principal | None) -> Right:
    return await rights.get_right(
        session=session, right_id=right_id, principal=caller, for_update=True
    )


# --- suspension and resumption -------------------------------------------------------------


async def suspend(
    *, session: AsyncSession, right_id: UUID, caller: Principal, reason: str, clause: str | None
) -> Right:
    """The bureau suspends a working mine 停产整治 (409 otherwise): a hold of cause ``bureau``
    remembering the status to return to, and ``rights.right.suspended``."""
    right = await _right(session, right_id, caller)
    if right.status not in SUSPENDABLE:
        raise _refuse(right, "a suspension", SUSPENDABLE)
    hold_id = uuid4()
    session.add(
        SuspensionHold(
            id=hold_id,
            right_id=right.id,
            cause=BUREAU,
            cause_id=hold_id,
            status_before=RightStatus(right.status),
            reason=reason,
            clause=clause,
            held_by=caller.subject,
        )
    )
    await session.flush()
    return await rights.change_status(
        session=session,
        right=right,
        to=RightStatus.suspended,
        actor=caller.subject,
        reason=reason,
        cause=BUREAU,
        clause=clause,
    )


async def _overdue_orders(session: AsyncSession, right_id: UUID) -> list[ComplianceOrder]:
    query = (
        select(ComplianceOrder)
        .where(ComplianceOrder.right_id == right_id, ComplianceOrder.status == OrderStatus.overdue)
        .order_by(ComplianceOrder.due_on, ComplianceOrder.id)
        .with_for_update()
    )
    return list((await session.exec(query)).all())


async def resume(
    *, session: AsyncSession, right_id: UUID, caller: Principal, reason: str, clause: str | None
) -> Right:
    """The bureau resumes a suspended mine to the status it had (``producing`` when nothing
    recorded it, e.g. a mine loaded as suspended). 409 when it is not suspended, or when it is
    still held by an overdue restoration rectification or compliance order: meeting those
    resumes it."""
    right = await _right(session, right_id, caller)
    if right.status != RightStatus.suspended:
        raise _refuse(right, "a resumption", (RightStatus.suspended,))
    holds = await rights.active_holds(session=session, right_id=right.id)
    others = [h for h in holds if h.cause != BUREAU]
    orders = await _overdue_orders(session, right.id)
    if others or orders:
        raise Conflict(
            f"Right {right.licence_no} stays suspended until "
            + "; ".join(
                [f"restoration rectification {h.cause_id} is met" for h in others]
                + [f"compliance order {o.id} is resolved" for o in orders]
            )
            + ".",
            held_by=[{"cause": h.cause, "id": str(h.cause_id)} for h in others]
            + [{"cause": "compliance_order", "id": str(o.id)} for o in orders],
        )
    to = next((h.status_before for h in holds if h.status_before), None) or RightStatus.producing
    at = clock.now()
    for hold in holds:
        _lift(session, hold, caller.subject, at)
    await _resume(session, right, to, caller.subject, BUREAU, reason, clause, at)
    return right


def _lift(session: AsyncSession, hold: SuspensionHold, actor: str, at: datetime) -> None:
    hold.lifted_at, hold.lifted_by = at, actor
    session.add(hold)


async def _resume(
    session: AsyncSession,
    right: Right,
    to: RightStatus,
    actor: str,
    cause: str,
    reason: str,
    clause: str | None,
    at: datetime,
    rectification_id: UUID | None = None,
) -> None:
    await rights.move(
        session=session,
        right=right,
        to=to,
        actor=actor,
        action="resumed",
        why=reason,
        event=RightResumed,
        at=at,
        from_status=RightStatus.suspended,
        to_status=to,
        cause=cause,
        reason=reason,
        clause=clause,
        rectification_id=rectification_id,
        resumed_at=at,
    )


async def hold_for_rectification(
    *, session: AsyncSession, payload: RectificationOverdue, source: str
) -> SuspensionHold | None:
    """restoration-api reports a rectification overdue: the mine is suspended 停产整治 until it
    is met (第六章第二节二). A mine already suspended stays so, with one more cause (whoever
    suspended it resumes it); a closing, ended or closed mine is left alone. Once per
    rectification."""
    right = await session.get(Right, payload.right_id, with_for_update=True)
    if right is None or await _hold_of(session, payload.rectification_id) is not None:
        return None
    if right.status not in (*SUSPENDABLE, RightStatus.suspended):
        return None
    before = RightStatus(right.status)
    reason = (
        f"治理恢复整改{payload.rectification_id}逾期未达标，停产整治 "
        "restoration rectification overdue: suspended until it is met"
    )
    hold = SuspensionHold(
        right_id=right.id,
        cause=RECTIFICATION,
        cause_id=payload.rectification_id,
        status_before=None if before == RightStatus.suspended else before,
        reason=reason,
        clause=RECTIFICATION_CLAUSE,
        held_by=source,
    )
    session.add(hold)
    await session.flush()
    if before == RightStatus.suspended:
        await rights.record(
            session=session,
            right=right,
            actor=source,
            action="suspension_held",
            reason=reason,
            changes={"rectification_id": str(payload.rectification_id)},
        )
        return hold
    await rights.change_status(
        session=session,
        right=right,
        to=RightStatus.suspended,
        actor=source,
        reason="restoration_rectification_overdue",
        cause="restoration_rectification_overdue",
        clause=RECTIFICATION_CLAUSE,
        rectification_id=payload.rectification_id,
    )
    return hold


async def _hold_of(session: AsyncSession, rectification_id: UUID) -> SuspensionHold | None:
    query = select(SuspensionHold).where(
        SuspensionHold.cause == RECTIFICATION, SuspensionHold.cause_id == rectification_id
    )
    return await session.scalar(query.with_for_update())


async def lift_rectification(
    *, session: AsyncSession, payload: RectificationResolved, source: str
) -> None:
    """restoration-api reports the rectification met: its hold is lifted, and the mine resumes
    to the status it had if that hold suspended it and nothing else holds it (another cause
    inherits the duty to resume it). Nothing for a rectification that suspended nothing."""
    hold = await _hold_of(session, payload.rectification_id)
    if hold is None or hold.lifted_at is not None:
        return
    right = await session.get(Right, hold.right_id, with_for_update=True)
    at = clock.now()
    _lift(session, hold, source, at)
    if hold.status_before is None or right is None or right.status != RightStatus.suspended:
        return
    orders = await _overdue_orders(session, right.id)
    if orders:
        if orders[0].suspended_from is None:
            orders[0].suspended_from = hold.status_before
            session.add(orders[0])
        return
    others = await rights.active_holds(session=session, right_id=right.id, excluding=hold.id)
    if others:
        if others[0].status_before is None:
            others[0].status_before = hold.status_before
            session.add(others[0])
        return
    await _resume(
        session,
        right,
        RightStatus(hold.status_before),
        source,
        "restoration_rectification_resolved",
        f"治理恢复整改{payload.rectification_id}已完成，恢复{hold.status_before} "
        "restoration rectification met",
        RECTIFICATION_CLAUSE,
        at,
        rectification_id=payload.rectification_id,
    )


# --- endings: revocation, policy closure, expiry ---------------------------------------------


async def _end(
    session: AsyncSession,
    right: Right,
    *,
    kind: str,
    to: RightStatus,
    event: type[RightRevoked | RightPolicyClosed | RightExpired],
    actor: str,
    reason: str,
    clause: str | None,
    at: datetime,
    **fields: object,
) -> Right:
    if right.status not in ENDABLE:
        raise _refuse(right, f"an ending ({kind})", ENDABLE)
    before = RightStatus(right.status)
    ending = RightEnding(
        right_id=right.id,
        kind=kind,
        status_before=before,
        reason=reason,
        clause=clause,
        decided_by=actor,
        decided_at=at,
    )
    session.add(ending)
    for hold in await rights.active_holds(session=session, right_id=right.id):
        _lift(session, hold, actor, at)  # the mine will not resume: it is ending
    await session.flush()
    await rights.move(
        session=session,
        right=right,
        to=to,
        actor=actor,
        action=kind,
        why=reason,
        event=event,
        at=at,
        changes={"ending_id": str(ending.id), "clause": clause},
        ending_id=ending.id,
        from_status=before,
        reason=reason,
        clause=clause,
        ended_at=at,
        **fields,
    )
    return right


# the bureau's endings: kind → (the status the right moves to, the event)
BUREAU_ENDINGS: dict[str, tuple[RightStatus, type[RightRevoked | RightPolicyClosed]]] = {
    "revoked": (RightStatus.revoked, RightRevoked),
    "policy_closed": (RightStatus.closing, RightPolicyClosed),
}
ROUTE_ENDINGS = {"revoke": "revoked", "policy-close": "policy_closed"}  # route name → kind


async def end(
    *,
    session: AsyncSession,
    right: Right,
    kind: str,
    actor: str,
    reason: str,
    clause: str | None = None,
) -> Right:
    """The bureau ends ``right`` (409 unless it is under construction, producing or suspended)
    and it enters the closure path: ``revoked`` 吊销 becomes ``revoked``
    (``rights.right.revoked``), then ``closed``; ``policy_closed`` 政策性关闭 becomes ``closing``
    (``rights.right.policy_closed``), then ``closed_by_policy``, each once its closure
    restoration passes acceptance."""
    to, event = BUREAU_ENDINGS[kind]
    await session.refresh(right, with_for_update=True)
    return await _end(
        session,
        right,
        kind=kind,
        to=to,
        event=event,
        actor=actor,
        reason=reason,
        clause=clause,
        at=clock.now(),
    )


async def policy_close(
    *, session: AsyncSession, right: Right, actor: str, reason: str, clause: str | None = None
) -> Right:
    """政策性关闭 as other areas call it (a conformance finding): ``end`` of kind
    ``policy_closed``."""
    return await end(
        session=session,
        right=right,
        kind="policy_closed",
        actor=actor,
        reason=reason,
        clause=clause,
    )


async def ending_of(*, session: AsyncSession, right_id: UUID) -> RightEnding | None:
    """The bureau's ending of the right, if it was ended (closed since or not): lets a caller
    (a conformance finding's action) open an ending once and find it again."""
    return await session.scalar(select(RightEnding).where(RightEnding.right_id == right_id))


async def act(
    *,
    session: AsyncSession,
    right_id: UUID,
    caller: Principal,
    action: str,
    reason: str,
    clause: str | None,
) -> Right:
    """One of the bureau's actions by its route name."""
    if action in ("suspend", "resume"):
        step = suspend if action == "suspend" else resume
        return await step(
            session=session, right_id=right_id, caller=caller, reason=reason, clause=clause
        )
    right = await _right(session, right_id, caller)
    return await end(
        session=session,
        right=right,
        kind=ROUTE_ENDINGS[action],
        actor=caller.subject,
        reason=reason,
        clause=clause,
    )


async def expire(*, session: AsyncSession, right: Right, grace_days: int, at: datetime) -> Right:
    """The licence of ``right`` ended ``grace_days`` and more ago unrenewed: ``expired``
    (``rights.right.expired``, with the licence-expiry deadline now overdue), into the closure
    path."""
    return await _end(
        session,
        right,
        kind="expired",
        to=RightStatus.expired,
        event=RightExpired,
        actor=EXPIRY_JOB,
        reason=f"采矿许可证有效期{right.valid_to:%Y年%m月%d日}届满，宽限{grace_days}日内未申请延续 "
        f"licence ended {right.valid_to} and was not renewed within {grace_days} days",
        clause=None,
        at=at,
        grace_days=grace_days,
        deadline=rights.holder_deadline(
            right,
            DeadlineAction.overdue,
            id=f"licence-expiry:{right.id}",
            kind="licence_expiry",
            due_at=right.valid_to,
            title_zh=f"许可证{right.licence_no}有效期届满",
        ),
    )


async def close_after_acceptance(
    *, session: AsyncSession, payload: AcceptancePassed, source: str
) -> Right | None:
    """restoration-api accepted the closure restoration of an ended right: the mine is closed
    (``closed_by_policy`` after a policy closure, else ``closed``) with ``rights.mine.closed``.
    An acceptance naming a closure application is the voluntary path (applications); a right
    not ended, or already closed, is left alone, so a redelivery changes nothing."""
    if not payload.closure or payload.application_id is not None:
        return None
    ending = await session.scalar(
        select(RightEnding)
        .where(RightEnding.right_id == payload.right_id, RightEnding.closed_at.is_(None))
        .with_for_update()
    )
    if ending is None:
        return None
    right = await session.get(Right, payload.right_id, with_for_update=True)
    to = RightStatus.closed_by_policy if ending.kind == "policy_closed" else RightStatus.closed
    ending.closed_at, ending.acceptance_id = clock.now(), payload.acceptance_id
    session.add(ending)
    return await rights.change_status(
        session=session,
        right=right,
        to=to,
        actor=source,
        reason=f"闭坑治理恢复验收通过（{ending.kind}） closure restoration accepted: "
        f"acceptance {payload.acceptance_id}",
    )
