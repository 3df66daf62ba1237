"""The admission rules of the plan (第四章, 第五章, 第六章): each failed rule is a Violation
naming its clause and the numbers compared. Every rule runs; none stops the others."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.mining import MINERAL_NAMES_ZH, LicensingLevel, Mineral, RightKind, Scale
from servicekit.auth import Principal
from servicekit.errors import FieldError, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.schemas import (
    ApplicationStatus,
    Change,
    Closure,
    DocumentRef,
    MortgageFiling,
    NewMiningRight,
    NewRight,
    OnRight,
    Renewal,
    Transfer,
)
from rights_api.conformance.models import ConformanceAction
from rights_api.geometry import Boundary, area_fault
from rights_api.holders.models import Holder
from rights_api.mortgages import service as mortgages
from rights_api.plan.schemas import DocumentKind, MineralRule, PlannedBlock, Violation
from rights_api.plan.service import PlanView
from rights_api.rights import service as rights
from rights_api.rights.models import ENDED, CapReservation, Right, RightEnding
from rights_api.rights.schemas import BoundaryInput
from rights_api.rights.spatial import boundary_of, fault_violation, live_overlaps
from rights_api.wording import UNIT_ZH, num, scale_zh

SPACE = "第五章第三节"  # 空间准入条件
CLOSED_ZH = {"closed": "闭坑", "closed_by_policy": "政策性关闭"}
ENDED_ZH = {"revoked": "吊销", "expired": "有效期届满未延续"}


@dataclass
class Assessment:
    violations: list[Violation] = field(default_factory=list)
    boundary: Boundary | None = None
    zone: str | None = None
    right: Right | None = None

    def add(self, code: str, clause: str, zh: str, en: str, **numbers: object) -> None:
        self.violations.append(
            Violation(code=code, clause=clause, message_zh=zh, message_en=en, numbers=numbers)
        )


def _scale_zh(scale: Scale) -> str:
    return scale_zh(scale.value, scale.unit)


def _mineral_zh(mineral: str) -> str:
    return MINERAL_NAMES_ZH[Mineral(mineral)]


async def assess(
    *,
    session: AsyncSession,
    request: NewRight | OnRight,
    plan: PlanView,
    on: date,
    principal: Principal | None,
    application_id: UUID | None = None,
) -> Assessment:
    """Judge ``request`` (filed on ``on``) by the edition ``plan``."""
    result = Assessment()
    if isinstance(request, NewRight):
        if principal is not None:
            principal.ensure_holder(request.holder_id)
        await _holder(session, request.holder_id, "body.holder_id")
        await _location(session, request, request.area_km2, plan, result, principal)
        if isinstance(request, NewMiningRight):
            _market_grant_only(request.mineral, plan.content.mineral(request.mineral), result)
            await _new_mining(session, request, plan, result, principal)
        else:
            _licensing(request.mineral, plan.content.mineral(request.mineral), result)
        return result

    right = await rights.get_right(session=session, right_id=request.right_id, principal=principal)
    result.right = right
    if request.holder_id is not None and request.holder_id != right.holder_id:
        raise validation_error(
            [FieldError(field="body.holder_id", message="is not the holder of this right")]
        )
    if not right.live:
        result.add(
            "right_closed",
            "第五章第二节",
            f"矿业权{right.licence_no}已{CLOSED_ZH[right.status]}",
            f"right {right.licence_no} is {right.status}",
            status=right.status,
        )
    elif right.status in ENDED or await _ending_open(session, right):
        # revoked, expired or closed by policy: in the closure path, nothing more is filed
        result.add(
            "right_ended",
            "第五章第二节",
            f"矿业权{right.licence_no}已{ENDED_ZH.get(right.status, '政策性关闭')}，"
            "正在办理闭坑治理，不再受理申请",
            f"right {right.licence_no} was ended by the bureau ({right.status}); it is in the "
            "closure path and takes no applications",
            status=right.status,
        )
    await _pending(session, request, right, application_id, result)
    rule = plan.content.mineral(Mineral(right.mineral))
    match request:
        case Renewal():
            _renewal(right, rule, plan, on, result)
            await _no_renewal_on_record(session, right, plan, result)
        case Transfer():
            to = await _holder(session, request.to_holder_id, "body.to_holder_id")
            if to.id == right.holder_id:
                result.add(
                    "same_holder",
                    "第五章第二节",
                    "受让人与转让人相同",
                    "the right already belongs to this holder",
                    holder_id=str(to.id),
                )
            _city_bureau(right, result)
            await _mortgaged(session, right, result)
        case MortgageFiling():
            _city_bureau(right, result)
        case Change():
            if request.scale is not None and right.kind == RightKind.mining:
                _min_scale(Mineral(right.mineral), request.scale, rule, result)
        case Closure():
            _documents(request.documents, [DocumentKind.restoration_plan], "第六章第二节", result)
    return result


async def _holder(session: AsyncSession, holder_id: UUID, where: str) -> Holder:
    holder = await session.get(Holder, holder_id)
    if holder is None:
        raise validation_error([FieldError(field=where, message=f"no holder {holder_id}")])
    return holder


async def _location(
    session: AsyncSession,
    request: BoundaryInput,
    area_km2: Decimal,
    plan: PlanView,
    result: Assessment,
    principal: Principal | None,
) -> None:
    boundary, faults = boundary_of(request)
    result.violations += [fault_violation(f, SPACE) for f in faults]
    if boundary is None:
        return
    result.boundary = boundary
    rules = plan.content.rules
    if fault := area_fault(boundary.area_km2, area_km2, rules.area_tolerance):
        result.violations.append(fault_violation(fault, SPACE))
    shape = boundary.shape
    if not plan.city.covers(shape):
        result.add(
            "outside_city",
            plan.content.city.clause,
            f"矿区范围超出{plan.content.city.name_zh}",
            "the boundary is not inside the city of Erenhot",
            city_bbox=list(plan.city.bounds),
            boundary_bbox=list(shape.bounds),
        )
    for props in plan.prohibited_overlapping(shape):
        result.add(
            "prohibited_area",
            props.clause,
            f"矿区范围与{props.name_zh}重叠",
            f"the boundary overlaps a prohibited area ({props.kind.value}): {props.name_zh}",
            kind=props.kind.value,
            area=props.name_zh,
        )
    overlaps = await live_overlaps(session=session, shape=shape)
    if overlaps:
        zh, en, numbers = _overlap(overlaps, principal)
        result.add("overlap", "第三章第四节, 第五章第二节", zh, en, **numbers)


def _overlap(overlaps: list, principal: Principal | None) -> tuple[str, str, dict[str, object]]:
    """The overlap violation's messages and numbers. An enterprise learns which of its own
    rights the boundary overlaps and by how much, and only *that* other holders' rights are
    overlapped: never their number, ids or the area shared with them, or repeated dry runs would
    map a competitor's boundary. Bureau staff (and the system) see every right."""
    own = principal.own_holder if principal is not None else None
    shown = [o for o in overlaps if own is None or o.holder_id == own]
    others = len(shown) < len(overlaps)
    listed = [o.licence_no for o in shown]
    zh = "、".join(listed + (["他人矿业权"] if others else []))
    en = ", ".join(listed + (["rights of other holders"] if others else []))
    numbers: dict[str, object] = {
        "overlapping": [
            {
                "right_id": str(o.right_id),
                "licence_no": o.licence_no,
                "shared_km2": num(o.shared_km2),
            }
            for o in shown
        ],
        "shared_km2": num(sum((o.shared_km2 for o in shown), Decimal(0))),
    }
    if own is not None:
        numbers["other_holders"] = others
    return (
        f"矿区范围与现有矿业权重叠（{zh}），不得分割矿床、一矿多开",
        f"the boundary overlaps live rights ({en}); one deposit is not split",
        numbers,
    )


async def assess_offering(
    *,
    session: AsyncSession,
    block: PlannedBlock,
    scale: Scale,
    plan: PlanView,
    offering_id: UUID | None = None,
) -> Assessment:
    """Judge a market grant 市场出让 of the planned ``block`` at ``scale`` by the same rules as a
    new mining right (licensing level, minimum scale, city, prohibited areas, zone or block,
    overlaps, caps), minus what only an applicant brings (holder, documents). ``offering_id``:
    the offering judged again at its award, whose own place under the caps is not counted
    twice. A cap the block would break names both clauses: the cap's and 第五章第一节, which
    planned the block (the plan contradicts itself: 2 new sand rights against a sand cap of 1,
    5 new rights against a city cap of 4)."""
    result = Assessment()
    place = BoundaryInput.model_validate({"boundary": block.boundary.model_dump(exclude_none=True)})
    await _location(session, place, block.area_km2, plan, result, None)
    rule = plan.content.mineral(block.mineral)
    _licensing(block.mineral, rule, result)
    _min_scale(block.mineral, scale, rule, result)
    if result.boundary is not None:
        _in_zone(block.mineral, plan, result)
    await _caps(session, block.mineral, scale, plan, result, block=block, offering_id=offering_id)
    return result


def _market_grant_only(mineral: Mineral, rule: MineralRule | None, result: Assessment) -> None:
    """普通建筑用砂石矿采矿权必须严格执行市场出让制度 (第五章第二节): no direct application."""
    if rule is not None and rule.market_grant_only:
        result.add(
            "market_grant_only",
            "第五章第二节",
            f"{_mineral_zh(mineral)}采矿权必须严格执行市场出让制度（招标、拍卖、挂牌），"
            "不受理直接申请新立",
            f"a new {mineral.value} mining right is granted only by market grant (tender, "
            "auction or listing of a planned block: /grant-offerings), not on application",
            mineral=mineral.value,
        )


def _in_zone(mineral: Mineral, plan: PlanView, result: Assessment) -> None:
    """The boundary lies in a concentrated zone (专栏三) or a planned block (第五章第一节) planned
    for ``mineral``."""
    assert result.boundary is not None
    result.zone = plan.zone_covering(mineral, result.boundary.shape)
    if result.zone is None:
        result.add(
            "outside_zone",
            "第三章第四节, 专栏三; 第五章第一节",
            f"矿区不在{_mineral_zh(mineral)}的集中开采区或开采规划区块内",
            f"the boundary is not inside a concentrated zone or planned block for {mineral.value}",
            zones=[z.code for z in plan.zones_for(mineral)],
        )


async def _new_mining(
    session: AsyncSession,
    request: NewMiningRight,
    plan: PlanView,
    result: Assessment,
    principal: Principal | None,
) -> None:
    content = plan.content
    rule = content.mineral(request.mineral)
    _licensing(request.mineral, rule, result)
    _min_scale(request.mineral, request.scale, rule, result)
    if result.boundary is not None:
        _in_zone(request.mineral, plan, result)
    await _caps(session, request.mineral, request.scale, plan, result, principal=principal)
    _documents(request.documents, content.rules.required_documents, SPACE, result)
    limit = content.rules.borrow_pit_max_years
    if request.temporary_borrow_pit and request.term_years > limit:
        result.add(
            "borrow_pit_term",
            "第五章第一节",
            f"重大建设项目临时取料点服务年限不超过{limit}年，申请{request.term_years}年",
            f"a temporary borrow pit runs at most {limit} years; asked {request.term_years}",
            term_years=request.term_years,
            maximum=limit,
        )


def _licensing(mineral: Mineral, rule: MineralRule | None, result: Assessment) -> None:
    if rule is None:
        result.add(
            "mineral_not_planned",
            "第三章第二节",
            f"本轮规划未安排{_mineral_zh(mineral)}的勘查开采",
            f"the plan edition has no rule for {mineral.value}",
            mineral=mineral.value,
        )
    elif rule.licensing_level != LicensingLevel.city:
        level = "自治区" if rule.licensing_level == LicensingLevel.region else "国家"
        result.add(
            "licensing_level",
            rule.clause,
            f"{_mineral_zh(mineral)}由{level}登记发证，市自然资源局不受理",
            f"{mineral.value} is licensed at {rule.licensing_level.value} level, not by the city",
            mineral=mineral.value,
            licensing_level=rule.licensing_level.value,
        )


def _min_scale(
    mineral: Mineral, scale: Scale, rule: MineralRule | None, result: Assessment
) -> None:
    if rule is None or rule.min_scale is None:
        return
    minimum = rule.min_scale
    clause = "第四章第二节, 专栏五"
    if scale.unit != minimum.unit:
        result.add(
            "scale_unit",
            clause,
            f"{_mineral_zh(mineral)}的开采规模应以{UNIT_ZH[minimum.unit]}计",
            f"the scale of {mineral.value} is measured in {minimum.unit.value}",
            unit=scale.unit.value,
            expected_unit=minimum.unit.value,
        )
    elif scale.value < minimum.value:
        result.add(
            "min_scale",
            clause,
            f"生产规模{_scale_zh(scale)}低于{_mineral_zh(mineral)}最低开采规模{_scale_zh(minimum)}",
            f"scale {scale.value} {scale.unit.value} is below the minimum {minimum.value} "
            f"{minimum.unit.value} for {mineral.value}",
            scale=num(scale.value),
            minimum=num(minimum.value),
            unit=minimum.unit.value,
        )


async def _caps(
    session: AsyncSession,
    mineral: Mineral,
    scale: Scale,
    plan: PlanView,
    result: Assessment,
    *,
    block: PlannedBlock | None = None,
    offering_id: UUID | None = None,
    principal: Principal | None = None,
) -> None:
    """City cap (第二章第三节, 专栏二) and per-mineral count and output caps (专栏四), counted
    over live mining rights (closed and closed-by-policy mines no longer count), read from the
    trigger-kept tallies, plus the place each open market-grant offering holds (trigger-kept
    ``cap_reservations``: the same for an application and an offering). A refusal names the
    offerings holding places under its cap (an enterprise sees announced ones named, drafts
    only counted). For the offering of a planned ``block`` it names 第五章第一节 beside the
    cap's clause."""
    rows = await rights.live_tallies(session=session)
    held = await rights.cap_reservations(session=session, excluding=offering_id)
    rows = [
        *rows,
        *((r.mineral, LicensingLevel.city.value, r.scale_unit, 1, r.scale_value) for r in held),
    ]
    content = plan.content
    enterprise = principal is not None and principal.own_holder is not None

    def add(
        code: str,
        clause: str,
        zh: str,
        en: str,
        holding: list[CapReservation],
        **numbers: object,
    ) -> None:
        if holding:
            shown = [r for r in holding if not enterprise or r.state != "draft"]
            drafts = len(holding) - len(shown)
            zh_names = [r.block_id for r in shown] + ([f"另{drafts}个拟出让区块"] if drafts else [])
            en_names = [r.block_id for r in shown] + (
                [f"{drafts} in preparation"] if drafts else []
            )
            zh += f"（含出让中的开采规划区块占用的{len(holding)}个名额：{'、'.join(zh_names)}）"
            en += (
                f" (counting {len(holding)} place(s) held by open offerings: {', '.join(en_names)})"
            )
            numbers["held_by_offerings"] = [
                {"offering_id": str(r.offering_id), "block_id": r.block_id, "state": r.state}
                for r in shown
            ]
            if drafts:
                numbers["held_by_unannounced_offerings"] = drafts
        if block is not None:
            clause = f"{clause}; {block.clause}"
            zh += (
                f"；而{block.clause}规划新设该区块（{block.id}），规划前后不一致，"
                "须先调整规划或待现有矿山退出"
            )
            en += (
                f"; yet {block.clause} plans block {block.id}: the plan contradicts itself, "
                "adjust the edition or wait for existing mines to exit"
            )
            numbers["planned_by"] = {"clause": block.clause, "block_id": block.id}
        result.add(code, clause, zh, en, **numbers)

    small = content.small_mine_cap
    if small.counts(mineral):
        existing = sum(n for m, level, _, n, _ in rows if small.counts(m, level))
        if existing + 1 > small.max_mines:
            add(
                "city_mine_cap",
                small.clause,
                f"本市发证砂石及小型非金属矿山已有{existing}家，规划控制在{small.max_mines}家以内",
                f"{existing} city-licensed sand-gravel and small non-metallic mines exist; the "
                f"plan allows {small.max_mines}",
                [r for r in held if small.counts(r.mineral)],
                existing=existing,
                maximum=small.max_mines,
            )
    for cap in content.mine_caps:
        if not cap.counts(mineral):
            continue
        group = [r for r in rows if cap.counts(r[0])]
        existing = sum(r[3] for r in group)
        if cap.max_mines is not None and existing + 1 > cap.max_mines:
            add(
                "mine_count_cap",
                cap.clause,
                f"{cap.name_zh}矿山已有{existing}个，规划数量{cap.max_mines}个",
                f"{existing} live mines of {'/'.join(m.value for m in cap.minerals)}; the plan "
                f"allows {cap.max_mines}",
                [r for r in held if cap.counts(r.mineral)],
                cap=cap.name_zh,
                existing=existing,
                maximum=cap.max_mines,
            )
        if cap.max_output is not None and scale.unit == cap.max_output.unit:
            unit_code = cap.max_output.unit.value
            output = sum((Decimal(r[4]) for r in group if r[2] == unit_code), Decimal(0))
            if output + scale.value > cap.max_output.value:
                unit = UNIT_ZH[cap.max_output.unit]
                add(
                    "output_cap",
                    cap.clause,
                    f"{cap.name_zh}现有年产规模{num(output)}{unit}，加上本申请"
                    f"{_scale_zh(scale)}，超过规划年产量{_scale_zh(cap.max_output)}",
                    f"existing output {num(output)} plus {num(scale.value)} exceeds "
                    f"the plan's {num(cap.max_output.value)} {cap.max_output.unit.value}",
                    [r for r in held if cap.counts(r.mineral) and r.scale_unit == unit_code],
                    cap=cap.name_zh,
                    existing=num(output),
                    requested=num(scale.value),
                    maximum=num(cap.max_output.value),
                    unit=cap.max_output.unit.value,
                )


def _documents(given: list, required: list[DocumentKind], clause: str, result: Assessment) -> None:
    kinds = {d.kind if isinstance(d, DocumentRef) else DocumentKind(d) for d in given}
    missing = [d for d in required if d not in kinds]
    if missing:
        result.add(
            "missing_documents",
            clause,
            f"缺少申请材料：{'、'.join(DOCUMENT_ZH[d] for d in missing)}",
            f"documents missing: {', '.join(d.value for d in missing)}",
            missing=[d.value for d in missing],
        )


DOCUMENT_ZH = {
    DocumentKind.development_plan: "开发利用方案",
    DocumentKind.eia: "环境影响评价报告",
    DocumentKind.soil_water_plan: "水土保持方案",
    DocumentKind.restoration_plan: "矿山地质环境保护与土地复垦方案",
    DocumentKind.safety_assessment: "安全评价报告",
}


def _renewal(
    right: Right, rule: MineralRule | None, plan: PlanView, on: date, result: Assessment
) -> None:
    deadline = plan.content.rules.min_scale_deadline
    if right.kind != RightKind.mining or rule is None or rule.min_scale is None or on <= deadline:
        return
    minimum = rule.min_scale
    scale = rights.scale_of(right)
    if rule.falls_short(scale):
        shown = _scale_zh(scale) if scale else "未登记"
        result.add(
            "below_min_scale_no_renewal",
            "第四章第二节",
            f"{deadline:%Y年%m月%d日}后仍达不到最低开采规模{_scale_zh(minimum)}的矿山"
            f"（现为{shown}），采矿权到期不再延续",
            f"after {deadline} a mine below the minimum scale {minimum.value} "
            f"{minimum.unit.value} gets no renewal (its scale: "
            f"{f'{scale.value} {scale.unit.value}' if scale else 'not registered'})",
            scale=num(scale.value) if scale else None,
            minimum=num(minimum.value),
            unit=minimum.unit.value,
            deadline=deadline.isoformat(),
            filed_on=on.isoformat(),
        )


async def _no_renewal_on_record(
    session: AsyncSession, right: Right, plan: PlanView, result: Assessment
) -> None:
    """A refused renewal names the no-renewal action the bureau opened from the edition's
    conformance findings, if it did (the rule above decides; this only links the record)."""
    refusal = next((v for v in result.violations if v.code == "below_min_scale_no_renewal"), None)
    if refusal is None:
        return
    action_id = await session.scalar(
        select(ConformanceAction.id).where(
            ConformanceAction.edition_id == plan.id,
            ConformanceAction.right_id == right.id,
            ConformanceAction.rule == "below_min_scale_no_renewal",
        )
    )
    if action_id is not None:
        refusal.numbers["conformance_action_id"] = str(action_id)


def _city_bureau(right: Right, result: Assessment) -> None:
    if right.licensing_level != LicensingLevel.city:
        result.add(
            "not_city_licensed",
            "第五章第二节",
            f"矿业权{right.licence_no}由{right.licensing_level}级登记，转让、抵押备案不在市局办理",
            f"right {right.licence_no} is licensed at {right.licensing_level} level; the city "
            "bureau records transfers and mortgages of city-licensed rights only",
            licensing_level=right.licensing_level,
        )


async def _ending_open(session: AsyncSession, right: Right) -> bool:
    """Whether the bureau ended the right and its closure is not complete."""
    query = select(RightEnding.id).where(
        RightEnding.right_id == right.id, RightEnding.closed_at.is_(None)
    )
    return await session.scalar(query) is not None


async def _mortgaged(session: AsyncSession, right: Right, result: Assessment) -> None:
    """An unreleased mortgage blocks a transfer until the bureau records its release."""
    for mortgage in await mortgages.unreleased(session=session, right_id=right.id):
        result.add(
            "mortgaged",
            "第五章第二节",
            f"采矿权{right.licence_no}已抵押给{mortgage.mortgagee}"
            f"（{mortgage.starts_on:%Y年%m月%d日}至{mortgage.ends_on:%Y年%m月%d日}），"
            "解除抵押备案前不得转让",
            f"right {right.licence_no} is mortgaged to {mortgage.mortgagee} "
            f"({mortgage.starts_on} to {mortgage.ends_on}); it cannot be transferred until the "
            "bureau records the mortgage released",
            mortgage_id=str(mortgage.id),
            mortgagee=mortgage.mortgagee,
            ends_on=mortgage.ends_on.isoformat(),
        )


async def _pending(
    session: AsyncSession,
    request: OnRight,
    right: Right,
    application_id: UUID | None,
    result: Assessment,
) -> None:
    query = select(Application.id).where(
        Application.right_id == right.id,
        Application.kind == request.kind,
        Application.status == ApplicationStatus.filed.value,
    )
    if application_id is not None:
        query = query.where(Application.id != application_id)
    pending = await session.scalar(query.limit(1))
    if pending is not None:
        result.add(
            "application_pending",
            "第五章第二节",
            "该矿业权已有同类申请在审查中",
            f"an application of kind {request.kind} for this right is already under review",
            application_id=str(pending),
        )
