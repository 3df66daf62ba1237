"""Existing rights against a plan edition 规划符合性 (第五章第三节 规划准入条件: 已建矿山，要按照
规划的布局和结构进行调整和优化), and the actions the bureau opens from the findings. Functions
never commit: the request owns the transaction.

The rules, each with the action the plan prescribes (the README has the table):
- ``below_min_scale`` (专栏五 minimum, after the edition's ``min_scale_deadline``): ``exit``, a
  compliance order 限期退出, 第四章第二节; before the deadline ``restrict`` (限期整改,
  第五章第二节);
- ``below_min_scale_no_renewal``: ``no_renewal``, recorded; the renewal rule refuses it;
- ``prohibited_area`` (any right): ``close`` (政策性关闭), 第五章第三节 规划准入条件;
- ``outside_zone`` (city-licensed rights of the minerals the zones govern): ``restrict``, a
  compliance order 限期整改或整合, 第三章第四节;
- ``city_mine_cap``, ``mine_count_cap``, ``output_cap`` (the live mines beyond a cap, in register
  order): ``restrict``, no new grants, recorded; the cap's clause and 第八章第三节.

State-licensed rights (petroleum, uranium) are judged by the prohibited-area rule only: the
minimum scales of 专栏五, the zones and the caps are about city- and region-licensed mines.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from contracts.deadline import Deadline, DeadlineAction
from contracts.mining import MINERAL_NAMES_ZH, LicensingLevel, Mineral, RightKind, RightStatus
from contracts.rights import ConformanceFlagged
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import FieldError, Unprocessable, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.compliance import service as compliance
from rights_api.compliance.models import ComplianceOrder
from rights_api.compliance.schemas import OrderCreate, Violation
from rights_api.conformance.models import ConformanceAction
from rights_api.conformance.schemas import (
    Action,
    ActionOpen,
    ActionPublic,
    Conformance,
    DeadlineFinding,
    Effect,
    Finding,
    Rule,
)
from rights_api.deadlines import service as named_deadlines
from rights_api.endings import service as endings
from rights_api.geometry import to_shape
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.service import PlanView
from rights_api.rights import service as rights
from rights_api.rights.models import CLOSED, Right
from rights_api.settings import RightsSettings

UNIT_ZH = {"10k_t_per_year": "万吨/年", "10k_m3_per_year": "万m³/年", "t_per_year": "吨/年"}
LAYOUT = "第五章第三节 规划准入条件"
NO_NEW_GRANTS = "第八章第三节"  # 控制新设采矿权投放数量。规划期末矿山总数不超过4家
RULE_ORDER = list(Rule)


@dataclass
class Judged:
    right: Right
    rule: Rule
    action: Action
    effect: Effect
    clause: str
    zh: str
    en: str
    numbers: dict[str, Any] = field(default_factory=dict)
    illustrative: bool = False


def _num(value: Any) -> str:
    return f"{value.normalize():f}"


def _scale_zh(value: Any, unit: str) -> str:
    return f"{_num(value)}{UNIT_ZH.get(unit, unit)}"


async def _live_rights(session: AsyncSession) -> list[Right]:
    """Live rights (not closed) in the order they entered the register: the oldest keep their
    place under a cap."""
    query = (
        select(Right)
        .where(Right.status.not_in([s.value for s in CLOSED]))
        .order_by(Right.valid_from, Right.created_at, Right.id)
    )
    return list((await session.exec(query)).all())


async def judge(*, session: AsyncSession, edition: PlanEdition, on: date) -> list[Judged]:
    """Every live right judged against ``edition`` on the local date ``on``."""
    plan = plans.view(edition)
    live = await _live_rights(session)
    found: list[Judged] = []
    for right in live:
        found += _judge_right(plan, right, on)
    found += _caps(plan, live)
    place = {right.id: i for i, right in enumerate(live)}
    return sorted(found, key=lambda j: (place[j.right.id], RULE_ORDER.index(j.rule)))


def _judge_right(plan: PlanView, right: Right, on: date) -> list[Judged]:
    found: list[Judged] = []
    shape = to_shape(right.boundary) if right.boundary else None
    if shape is not None:
        areas = plan.prohibited_overlapping(shape)
        if areas:
            names = "、".join(a.name_zh for a in areas)
            clauses = sorted({a.clause for a in areas})
            found.append(
                Judged(
                    right,
                    Rule.prohibited_area,
                    Action.close,
                    Effect.policy_closure,
                    f"{LAYOUT}; {', '.join(clauses)}",
                    f"矿区范围位于禁止开采区（{names}）内：禁止开采区内的矿山全部关停，并逐步有序退出",
                    f"the licensed area lies in a prohibited area ({names}); mines there are "
                    "closed and exit",
                    {"areas": [{"name_zh": a.name_zh, "kind": a.kind.value} for a in areas]},
                    illustrative=right.boundary_illustrative or any(a.illustrative for a in areas),
                )
            )
    level = LicensingLevel(right.licensing_level)
    if right.kind != RightKind.mining or level == LicensingLevel.state:
        return found
    mineral = Mineral(right.mineral)
    found += _min_scale(plan, right, mineral, on)
    if level == LicensingLevel.city and mineral in plan.zoned_minerals():
        found += _zone(plan, right, mineral, shape)
    return found


def _min_scale(plan: PlanView, right: Right, mineral: Mineral, on: date) -> list[Judged]:
    rule = plan.content.mineral(mineral)
    scale = rights.scale_of(right)
    if rule is None or rule.min_scale is None or not rule.falls_short(scale):
        return []
    minimum = rule.min_scale
    deadline = plan.content.rules.min_scale_deadline
    shown = _scale_zh(scale.value, scale.unit) if scale else "未登记"
    numbers = {
        "scale": _num(scale.value) if scale else None,
        "scale_unit": scale.unit.value if scale else None,
        "minimum": _num(minimum.value),
        "unit": minimum.unit.value,
        "deadline": deadline.isoformat(),
    }
    wanted = _scale_zh(minimum.value, minimum.unit)
    en_scale = f"{_num(scale.value)} {scale.unit.value}" if scale else "not registered"
    if on <= deadline:
        return [
            Judged(
                right,
                Rule.below_min_scale,
                Action.restrict,
                Effect.compliance_order,
                "第五章第二节; 第四章第二节",
                f"生产规模{shown}低于{MINERAL_NAMES_ZH[mineral]}最低开采规模{wanted}，"
                f"应限期整改，{deadline:%Y年%m月%d日}前达到",
                f"scale {en_scale} is below the minimum {_num(minimum.value)} "
                f"{minimum.unit.value}; rectify by {deadline}",
                numbers,
            )
        ]
    return [
        Judged(
            right,
            Rule.below_min_scale,
            Action.exit,
            Effect.compliance_order,
            "第四章第二节",
            f"{deadline:%Y年%m月%d日}后仍达不到最低开采规模{wanted}（现为{shown}），应当退出",
            f"below the minimum scale {_num(minimum.value)} {minimum.unit.value} after "
            f"{deadline} (its scale: {en_scale}); the mine exits",
            numbers,
        ),
        Judged(
            right,
            Rule.below_min_scale_no_renewal,
            Action.no_renewal,
            Effect.recorded,
            "第四章第二节",
            f"{deadline:%Y年%m月%d日}后仍达不到最低开采规模{wanted}（现为{shown}），"
            f"采矿权到期（{right.valid_to:%Y年%m月%d日}）不再予以办理延续登记",
            f"below the minimum scale after {deadline}: no renewal when the licence ends "
            f"({right.valid_to})",
            {
                **numbers,
                "valid_to": right.valid_to.isoformat(),
                "renewal_rule": "below_min_scale_no_renewal",
            },
        ),
    ]


def _zone(plan: PlanView, right: Right, mineral: Mineral, shape: Any) -> list[Judged]:
    """Inside a zone or planned block for its mineral. Demo geometry does not overrule a zone
    on record: the boundary decides when neither it nor the zones are illustrative, otherwise
    the recorded zone code does; with neither, nothing can be judged."""
    zones = plan.zones_for(mineral)
    codes = [z.code for z in zones]
    demo = right.boundary_illustrative or any(z.illustrative for z in zones)
    if shape is not None and not (demo and right.zone):
        inside = plan.zone_covering(mineral, shape) is not None
        illustrative = demo
    elif right.zone:
        inside, illustrative = right.zone in codes, False
    else:
        return []
    if inside:
        return []
    return [
        Judged(
            right,
            Rule.outside_zone,
            Action.restrict,
            Effect.compliance_order,
            "第三章第四节",
            f"矿区不在{MINERAL_NAMES_ZH[mineral]}的集中开采区或开采规划区块内："
            "已有采矿权不符合开采条件的应限期整改或整合",
            f"not inside a concentrated zone or planned block for {mineral.value}; an existing "
            "right that does not meet the conditions is rectified or consolidated in time",
            {"zones": codes, "zone_on_record": right.zone},
            illustrative=illustrative,
        )
    ]


def _caps(plan: PlanView, live: list[Right]) -> list[Judged]:
    """The live mining rights beyond a cap, counted in register order (the newest are the
    ones beyond it): no new grants while the cap is exceeded. One finding per right and rule,
    naming every cap it lies beyond."""
    mines = [r for r in live if r.kind == RightKind.mining]
    content = plan.content
    # (right, rule) → the caps it lies beyond: (clause, zh, en, numbers) each
    beyond: dict[tuple[UUID, Rule], list[tuple[str, str, str, dict]]] = {}
    rights_by_id = {r.id: r for r in mines}

    def flag(right: Right, rule: Rule, clause: str, zh: str, en: str, cap: dict) -> None:
        beyond.setdefault((right.id, rule), []).append((clause, zh, en, cap))

    small = content.small_mine_cap
    group = [r for r in mines if small.counts(r.mineral, r.licensing_level)]
    for i, right in enumerate(group[small.max_mines :], start=small.max_mines + 1):
        flag(
            right,
            Rule.city_mine_cap,
            small.clause,
            f"本市发证砂石及小型非金属矿山{len(group)}家，规划控制在{small.max_mines}家以内"
            f"（本矿按登记先后为第{i}家）",
            f"{len(group)} city-licensed small mines against a cap of {small.max_mines} "
            f"(this one is number {i})",
            {"cap": "city_small_mines", "existing": len(group), "maximum": small.max_mines},
        )
    for cap in content.mine_caps:
        group = [r for r in mines if cap.counts(r.mineral)]
        if cap.max_mines is not None:
            for i, right in enumerate(group[cap.max_mines :], start=cap.max_mines + 1):
                flag(
                    right,
                    Rule.mine_count_cap,
                    cap.clause,
                    f"{cap.name_zh}矿山{len(group)}个，规划数量{cap.max_mines}个"
                    f"（本矿按登记先后为第{i}个）",
                    f"{len(group)} live {cap.name_zh} mines against {cap.max_mines}",
                    {"cap": cap.name_zh, "existing": len(group), "maximum": cap.max_mines},
                )
        if cap.max_output is not None:
            limit, unit = cap.max_output.value, cap.max_output.unit
            total = 0 * limit
            for right in group:
                if right.scale_unit != unit or right.scale_value is None:
                    continue
                total += right.scale_value
                if total > limit:
                    flag(
                        right,
                        Rule.output_cap,
                        cap.clause,
                        f"{cap.name_zh}年产规模累计{_scale_zh(total, unit)}，超过规划年产量"
                        f"{_scale_zh(limit, unit)}",
                        f"{cap.name_zh} output reaches {_num(total)} against {_num(limit)} "
                        f"{unit.value}",
                        {
                            "cap": cap.name_zh,
                            "cumulative": _num(total),
                            "maximum": _num(limit),
                            "unit": unit.value,
                        },
                    )
    return [
        Judged(
            rights_by_id[right_id],
            rule,
            Action.restrict,
            Effect.recorded,
            "; ".join(dict.fromkeys(clause for clause, _, _, _ in caps)) + f"; {NO_NEW_GRANTS}",
            "；".join(zh for _, zh, _, _ in caps) + "：不再新设采矿权",
            "; ".join(en for _, _, en, _ in caps) + "; no new grants",
            {"caps": [cap for _, _, _, cap in caps]},
        )
        for (right_id, rule), caps in beyond.items()
    ]


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
    edition = await plans.get_edition(session=session, edition_id=edition_id)
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
    edition = await plans.get_edition(session=session, edition_id=edition_id)
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
