"""Plan indicators (第二章第三节, 专栏二, 专栏四, 第五章第一节): where the register stands
against an edition, as of any day. ``GET /indicators`` asks as of today; the evaluation
(第七章二) asks as of a year's end, from the same functions."""

from datetime import date, datetime, time
from decimal import Decimal

from contracts.figures import Direction, EvaluationFigures, Figure, FigureRecord
from contracts.mining import RightKind
from servicekit.clock import LOCAL
from sqlalchemy import exists, func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.schemas import ApplicationKind, ApplicationStatus
from rights_api.indicators.schemas import CountVsCap, Indicators, NewRightsVsPlan
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import MineCap, PlanContent
from rights_api.rights.models import CLOSED, Right, RightHistory


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, LOCAL)


async def live_mines(*, session: AsyncSession, as_of: date) -> list[Right]:
    """Mining rights live at the end of ``as_of``: in effect by then and not closed by then, from
    the rights' history (a mine closed in 2024 still counts in 2023), by licence number. A right
    entered in the register already closed (no change of status into closed) never counts."""
    end = end_of(as_of)
    closing = (
        RightHistory.right_id == Right.id,
        RightHistory.from_status.is_not(None),
        RightHistory.to_status.in_(CLOSED),
    )
    closed_by_then = exists().where(*closing, RightHistory.at <= end)
    closed_later = exists().where(*closing, RightHistory.at > end)
    query = select(Right).where(
        Right.kind == RightKind.mining.value,
        Right.valid_from <= as_of,
        or_(Right.status.not_in(CLOSED), closed_later),
        ~closed_by_then,
    )
    return list((await session.exec(query.order_by(Right.licence_no))).all())


def cap_code(cap: MineCap) -> str:
    """granite, sand for one mineral's cap; total for a cap over several (专栏四 合计)."""
    if len(cap.minerals) == 1:
        return cap.minerals[0].value.removeprefix("construction_")
    return "total"


def indicator_codes(content: PlanContent) -> list[str]:
    """Every indicator code of an edition: its targets (专栏二), then its caps (专栏四)."""
    codes = [t.code for t in content.targets]
    for cap in content.mine_caps:
        if cap.max_mines is not None:
            codes.append(f"{cap_code(cap)}_mines")
        if cap.max_output is not None:
            codes.append(f"{cap_code(cap)}_output")
    return codes


def _output(mines: list[Right], unit: str | None) -> Decimal | None:
    if unit is None:
        return None
    return sum((r.scale_value or Decimal(0) for r in mines if r.scale_unit == unit), Decimal(0))


async def indicators(*, session: AsyncSession, today: date) -> Indicators:
    edition = await plans.edition_in_force(session=session, on=today)
    content = plans.view(edition).content
    live = await live_mines(session=session, as_of=today)
    small = content.small_mine_cap
    small_count = sum(1 for r in live if small.counts(r.mineral, r.licensing_level))
    caps = []
    for cap in content.mine_caps:
        group = [r for r in live if cap.counts(r.mineral)]
        unit = cap.max_output.unit if cap.max_output else None
        output = _output(group, unit)
        caps.append(
            CountVsCap(
                name_zh=cap.name_zh,
                minerals=cap.minerals,
                mines=len(group),
                max_mines=cap.max_mines,
                output=output,
                max_output=cap.max_output.value if cap.max_output else None,
                unit=unit,
                within=(cap.max_mines is None or len(group) <= cap.max_mines)
                and (output is None or output <= cap.max_output.value),
                clause=cap.clause,
            )
        )
    start = datetime.combine(edition.period_start, time(), LOCAL)
    end = end_of(edition.period_end)
    granted = (
        await session.exec(
            select(Right.mineral, func.count(), func.coalesce(func.sum(Right.area_km2), 0))
            .join(Application, Application.right_id == Right.id)
            .where(
                Application.kind == ApplicationKind.new_mining_right.value,
                Application.status == ApplicationStatus.approved.value,
                Application.decided_at.between(start, end),
            )
            .group_by(Right.mineral)
        )
    ).all()
    planned = content.planned_new_rights
    granted_by = {m: n for m, n, _ in granted}
    minerals = sorted({*planned.by_mineral, *granted_by})
    return Indicators(
        edition=edition.code,
        period_start=edition.period_start,
        period_end=edition.period_end,
        as_of=today,
        city_small_mines=CountVsCap(
            name_zh="本市发证普通建筑用砂石矿及小型非金属矿山数量",
            minerals=small.minerals,
            mines=small_count,
            max_mines=small.max_mines,
            within=small_count <= small.max_mines,
            clause=small.clause,
        ),
        mine_caps=caps,
        new_rights=NewRightsVsPlan(
            granted=sum(granted_by.values()),
            planned=planned.count,
            by_mineral={
                m: {"granted": granted_by.get(m, 0), "planned": planned.by_mineral.get(m, 0)}
                for m in minerals
            },
            granted_area_km2=sum((Decimal(a) for _, _, a in granted), Decimal(0)),
            planned_area_km2=planned.area_km2,
            clause=planned.clause,
        ),
        targets=content.targets,
    )


def _rights(mines: list[Right], unit: str | None = None) -> list[FigureRecord]:
    return [
        FigureRecord(
            kind="right",
            id=str(r.id),
            name=r.mine_name,
            code=r.licence_no,
            on=r.valid_from,
            value=(r.scale_value or Decimal(0)) if unit else Decimal(1),
        )
        for r in mines
        if unit is None or r.scale_unit == unit
    ]


async def figures(*, session: AsyncSession, edition: PlanEdition, as_of: date) -> EvaluationFigures:
    """The register's indicators of the edition as of the end of ``as_of``, in the schema the
    other services answer in: the city-licensed small mines (专栏二) and, per cap of 专栏四, the
    live mines and their licensed yearly output, each with the rights behind it. Every target
    is the edition's data."""
    content = plans.view(edition).content
    live = await live_mines(session=session, as_of=as_of)
    found = []
    small = content.small_mine_cap
    target = next((t for t in content.targets if t.code == "city_small_mines"), None)
    counted = [r for r in live if small.counts(r.mineral, r.licensing_level)]
    found.append(
        Figure(
            code="city_small_mines",
            name_zh=target.name_zh if target else "本市发证普通建筑用砂石矿及小型非金属矿山数量",
            target=target.value if target else Decimal(small.max_mines),
            actual=Decimal(len(counted)),
            unit=target.unit if target else "个",
            binding=target.binding if target else False,
            direction=Direction.at_most,
            clause=target.clause if target else small.clause,
            records=_rights(counted),
        )
    )
    for cap in content.mine_caps:
        group = [r for r in live if cap.counts(r.mineral)]
        code = cap_code(cap)
        if cap.max_mines is not None:
            found.append(
                Figure(
                    code=f"{code}_mines",
                    name_zh=f"{cap.name_zh}矿山数量",
                    target=Decimal(cap.max_mines),
                    actual=Decimal(len(group)),
                    unit="个",
                    binding=cap.binding,
                    direction=Direction.at_most,
                    clause=cap.clause,
                    records=_rights(group),
                )
            )
        if cap.max_output is not None:
            unit = cap.max_output.unit
            found.append(
                Figure(
                    code=f"{code}_output",
                    name_zh=f"{cap.name_zh}规划期年产量",
                    target=cap.max_output.value,
                    actual=_output(group, unit),
                    unit=unit,
                    binding=cap.binding,
                    direction=Direction.at_most,
                    clause=cap.clause,
                    records=_rights(group, unit),
                )
            )
    return EvaluationFigures(
        service="rights",
        edition=edition.code,
        as_of=as_of,
        period_start=edition.period_start,
        period_end=edition.period_end,
        figures=found,
    )
