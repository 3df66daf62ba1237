"""Conformance of existing rights to a plan edition 规划符合性 (第五章第三节): the findings as
``judging`` makes them, with the actions already opened, and the bureau opening the action a
finding prescribes (a compliance order, a policy closure, a recorded no-renewal or
restriction). Functions never commit: the request owns the transaction."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from contracts.deadline import Deadline, DeadlineAction
from contracts.mining import LicensingLevel, RightStatus
from contracts.rights import ConformanceFlagged
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import FieldError, Unprocessable, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.compliance import service as compliance
from rights_api.compliance.models import ComplianceOrder
from rights_api.compliance.schemas import OrderCreate, Violation
from rights_api.conformance.judging import Judged, judge
from rights_api.conformance.models import ConformanceAction
from rights_api.conformance.schemas import (
    Action,
    ActionOpen,
    ActionPublic,
    Conformance,
    DeadlineFinding,
    Effect,
    Finding,
)
from rights_api.deadlines import service as named_deadlines
from rights_api.endings import service as endings
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings


async def _deadline_findings(
    session: AsyncSession, edition: PlanEdition, on: date
) -> list[DeadlineFinding]:
    """The named deadlines missed and still not done (``deadlines``): one finding per right that
    has not done its part, naming each such deadline (green-mine standard → ``exit``, 依法依规退出
    矿业市场; a restoration or closure → ``restrict``), and one ``report`` per deadline no right
    answers for (the legacy sites' area)."""
    judged = await named_deadlines.judge(session=session, edition=edition, on=on)
    per_right: dict[UUID, list[tuple[Any, Any]]] = {}
    found: list[DeadlineFinding] = []
    for status in named_deadlines.outstanding(judged):
        missing = [i for i in status.evidence if not i.met]
        for item in missing:
            if item.right_id is not None:
                per_right.setdefault(item.right_id, []).append((status, item))
        if not any(i.right_id for i in status.evidence):
            restored = status.numbers.get("restored_km2")
            found.append(
                DeadlineFinding(
                    deadline_ids=[status.id],
                    clause=status.clause,
                    action="report",
                    message_zh=f"{status.title_zh}：{status.due_on:%Y年%m月%d日}前未完成"
                    + (f"（到期已治理{restored}平方千米）" if restored else ""),
                    message_en=f"{status.id} due {status.due_on} not met",
                    numbers=status.numbers,
                )
            )
    for right_id, missed in per_right.items():
        right = await session.get(Right, right_id)
        assert right is not None
        green = any(s.evidence_kind == "green_mine_or_exit" for s, _ in missed)
        found.append(
            DeadlineFinding(
                deadline_ids=[s.id for s, _ in missed],
                clause="; ".join(dict.fromkeys(s.clause for s, _ in missed)),
                action="exit" if green else "restrict",
                right_id=right.id,
                licence_no=right.licence_no,
                mine_name=right.mine_name,
                holder_id=right.holder_id,
                right_status=right.status,
                message_zh="；".join(
                    f"{s.title_zh}：{s.due_on:%Y年%m月%d日}前未完成（{i.what}）" for s, i in missed
                ),
                message_en="; ".join(
                    f"{s.id} due {s.due_on} not met ({i.what})" for s, i in missed
                ),
                numbers={
                    "deadlines": [
                        {"id": s.id, "due_on": s.due_on.isoformat(), "missing": i.what}
                        for s, i in missed
                    ]
                },
            )
        )
    return found


async def conformance(*, session: AsyncSession, edition_id: UUID) -> Conformance:
    """The findings of every live right against the edition, today, with the actions already
    opened from them. Reading publishes nothing."""
    edition = await plans.get_published(session=session, edition_id=edition_id)
    today = clock.local_today()
    found = await judge(session=session, edition=edition, on=today)
    opened = {
        (a.right_id, a.rule): a.id
        for a in (
            await session.exec(
                select(ConformanceAction).where(ConformanceAction.edition_id == edition.id)
            )
        ).all()
    }
    return Conformance(
        edition_id=edition.id,
        edition_code=edition.code,
        judged_on=today,
        findings=[_finding(j, opened.get((j.right.id, j.rule.value))) for j in found],
        deadline_findings=await _deadline_findings(session, edition, today),
    )


def _finding(judged: Judged, action_id: UUID | None) -> Finding:
    right = judged.right
    return Finding(
        right_id=right.id,
        licence_no=right.licence_no,
        mine_name=right.mine_name,
        holder_id=right.holder_id,
        mineral=right.mineral,
        licensing_level=right.licensing_level,
        right_status=right.status,
        rule=judged.rule,
        clause=judged.clause,
        action=judged.action,
        effect=judged.effect,
        message_zh=judged.zh,
        message_en=judged.en,
        numbers=judged.numbers,
        illustrative=judged.illustrative,
        action_id=action_id,
    )


def public(action: ConformanceAction) -> ActionPublic:
    return ActionPublic.model_validate(action, from_attributes=True)


async def open_action(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    edition_id: UUID,
    data: ActionOpen,
    caller: Principal,
) -> tuple[ActionPublic, bool]:
    """Open the action the finding (``right_id``, ``rule``) prescribes; the action and whether
    this call opened it. Idempotent: the right's row is locked first, so a second call (even a
    concurrent one) finds the first action and opens nothing new."""
    edition = await plans.get_published(session=session, edition_id=edition_id)
    right = await session.get(Right, data.right_id, with_for_update=True)
    if right is None:
        raise validation_error([FieldError(field="body.right_id", message="no such right")])
    existing = (
        await session.exec(
            select(ConformanceAction).where(
                ConformanceAction.edition_id == edition.id,
                ConformanceAction.right_id == right.id,
                ConformanceAction.rule == data.rule.value,
            )
        )
    ).first()
    if existing is not None:
        return public(existing), False
    today = clock.local_today()
    judged = next(
        (
            j
            for j in await judge(session=session, edition=edition, on=today)
            if j.right.id == right.id and j.rule == data.rule
        ),
        None,
    )
    if judged is None:
        raise validation_error(
            [
                FieldError(
                    field="body.rule",
                    message=f"edition {edition.code} finds no {data.rule.value} on right "
                    f"{right.licence_no} today",
                )
            ]
        )
    why = f"{judged.zh}（{judged.clause}）" + (f"；{data.reason}" if data.reason else "")
    action = ConformanceAction(
        edition_id=edition.id,
        right_id=right.id,
        rule=judged.rule.value,
        action=judged.action.value,
        clause=judged.clause,
        numbers=judged.numbers,
        opened_by=caller.subject,
        opened_at=clock.now(),
    )
    session.add(action)
    await session.flush()
    deadline = await _carry_out(session, settings, judged, action, why, caller, today)
    session.add(action)
    await rights.record(
        session=session,
        right=right,
        actor=caller.subject,
        action=f"conformance_{judged.action.value}",
        reason=why,
        changes={"edition": edition.code, "rule": judged.rule.value, "action_id": str(action.id)},
    )
    await session.flush()
    await rights.publish_about(
        session,
        ConformanceFlagged,
        right,
        action_id=action.id,
        edition_id=edition.id,
        edition_code=edition.code,
        licence_no=right.licence_no,
        mine_name=right.mine_name,
        rule=judged.rule.value,
        action=judged.action.value,
        clause=judged.clause,
        message_zh=judged.zh,
        numbers=judged.numbers,
        order_id=action.order_id,
        deadline=deadline,
        opened_at=action.opened_at,
    )
    return public(action), True


async def _carry_out(
    session: AsyncSession,
    settings: RightsSettings,
    judged: Judged,
    action: ConformanceAction,
    why: str,
    caller: Principal,
    today: date,
) -> Deadline | None:
    """Do what the action means; the holder's deadline, if it has one."""
    right = judged.right
    match judged.effect:
        case Effect.compliance_order:
            exit_ = judged.action == Action.exit
            days = settings.conformance_exit_days if exit_ else settings.conformance_rectify_days
            order = await compliance.issue(
                session=session,
                data=OrderCreate(
                    right_id=right.id,
                    violation=Violation.below_min_scale_exit
                    if exit_
                    else Violation.plan_nonconforming,
                    description=why,
                    due_on=today + timedelta(days=days),
                ),
                issuer=caller,
            )
            action.order_id, action.due_on = order.id, order.due_on
            row = await session.get(ComplianceOrder, order.id)
            assert row is not None
            return compliance.deadline(row, right, DeadlineAction.set)
        case Effect.policy_closure:
            if right.licensing_level != LicensingLevel.city:
                raise Unprocessable(
                    f"Right {right.licence_no} is licensed at {right.licensing_level} level: the "
                    "city bureau reports the finding to the licensing authority, which closes it.",
                    licensing_level=right.licensing_level,
                )
            if right.status != RightStatus.closing:  # a closure under way already is the exit
                await endings.policy_close(
                    session=session,
                    right=right,
                    actor=caller.subject,
                    reason=judged.zh,
                    clause=judged.clause,
                )
            return None
        case Effect.recorded if judged.action == Action.no_renewal:
            action.due_on = right.valid_to
            return rights.holder_deadline(
                right,
                DeadlineAction.set,
                id=f"rights.conformance.{action.id}",
                kind="licence_no_renewal",
                due_at=right.valid_to,
                title_zh=f"{right.mine_name}采矿权到期不再延续登记（{judged.clause}）",
            )
    return None
