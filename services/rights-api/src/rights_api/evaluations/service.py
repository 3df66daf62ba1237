"""The plan evaluation 规划实施评估 (第七章二): every indicator of 专栏二 and 专栏四 as of a year's
end, target against actual, with the records behind each actual, who answers for it (第七章一)
and the problems found. rights-api counts its own register; restoration-api and greenmine-api
answer for theirs over HTTP (``GET /evaluation-figures``): a peer that does not answer fails the
whole evaluation with a 502 naming it, never a partial one presented as whole."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.figures import Direction, EvaluationFigures, Figure
from servicekit.errors import FieldError, validation_error
from servicekit.settings import ServiceSettings
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.conformance.judging import judge as judge_conformance
from rights_api.deadlines import service as named_deadlines
from rights_api.deadlines.schemas import State
from rights_api.evaluations import gathering, owners
from rights_api.evaluations.schemas import (
    Attribute,
    EvaluatedIndicator,
    Evaluation,
    EvaluationProblem,
    OwnerPublic,
    ProblemKind,
    Scope,
    YearActuals,
)
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.wording import UNIT_ZH, num

# the edition's target codes (专栏二) → the service and figure code that answer for them
SOURCES: dict[str, tuple[str, str]] = {
    "city_small_mines": ("rights", "city_small_mines"),
    "green_mines": ("greenmine", "green_mines"),
    "legacy_restoration_km2": ("restoration", "legacy_restored_km2"),
    "land_reclamation_ha": ("restoration", "land_reclaimed_ha"),
    "restoration_rate": ("restoration", "restoration_rate_pct"),
}
NAMES_EN = {
    "city_small_mines": "City-licensed sand, gravel and small non-metallic mines",
    "green_mines": "Green mines",
    "legacy_restoration_km2": "Legacy mine sites restored",
    "land_reclamation_ha": "Mine land reclaimed",
    "restoration_rate": "Restoration rate (应治尽治)",
    "granite_mines": "Building granite mines",
    "granite_output": "Building granite yearly output",
    "sand_mines": "Building sand mines",
    "sand_output": "Building sand yearly output",
    "total_mines": "Sand and stone mines in total",
    "total_output": "Sand and stone yearly output in total",
}
UNITS_ZH = {"个": "个", "km2": "平方千米", "ha": "公顷", "%": "%", **UNIT_ZH}
ATTRIBUTE_ZH = {Attribute.binding: "约束性", Attribute.expected: "预期性"}


def year_of(edition: PlanEdition, scope: Scope, year: int | None) -> int:
    """The year evaluated: the one asked, the period's middle year (midterm; 2023 for
    2021–2025) or its last (period). 422 naming ``year`` outside the edition's period."""
    first, last = edition.period_start.year, edition.period_end.year
    if scope == "midterm":
        return first + (last - first) // 2
    if scope == "period":
        return last
    if year is None or not first <= year <= last:
        raise validation_error(
            [
                FieldError(
                    field="path.year",
                    message=f"{year} is outside the edition's period {first}–{last}",
                    type="year_outside_period",
                )
            ]
        )
    return year


async def evaluate(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    edition_id: UUID,
    scope: Scope,
    year: int | None = None,
    today: date,
) -> Evaluation:
    """The evaluation of ``year`` as of its last day (or today, if that is earlier); the period
    evaluation as of the period's end (or today) with every indicator's actual per year."""
    edition = await plans.get_edition(session=session, edition_id=edition_id)
    evaluated = year_of(edition, scope, year)
    as_of = min(date(evaluated, 12, 31), edition.period_end, today)
    begun = edition.period_start if scope == "period" else date(evaluated, 1, 1)
    if as_of < begun:
        what = "the period" if scope == "period" else str(evaluated)
        raise validation_error(
            [
                FieldError(
                    field="path.year" if scope == "year" else "path",
                    message=f"{what} has not begun (today is {today})",
                    type="not_begun",
                )
            ]
        )
    listed = await owners.list_owners(session=session, edition_id=edition.id)
    owned = {o.code: o for o in listed.owners}
    found = await gathering.gather(session=session, settings=settings, edition=edition, as_of=as_of)
    items = assemble(edition, found, owned, as_of)
    by_year = None
    if scope == "period":
        by_year = []
        for y in range(edition.period_start.year, as_of.year):
            day = date(y, 12, 31)
            figures = await gathering.gather(
                session=session, settings=settings, edition=edition, as_of=day
            )
            each = assemble(edition, figures, owned, day)
            by_year.append(YearActuals(year=y, as_of=day, actuals={i.code: i.actual for i in each}))
        by_year.append(
            YearActuals(year=as_of.year, as_of=as_of, actuals={i.code: i.actual for i in items})
        )
    return Evaluation(
        edition_id=edition.id,
        edition_code=edition.code,
        edition_title=edition.title,
        scope=scope,
        year=evaluated,
        as_of=as_of,
        period_start=edition.period_start,
        period_end=edition.period_end,
        indicators=items,
        problems=[*indicator_problems(items), *await register_problems(session, edition, as_of)],
        by_year=by_year,
    )


def assemble(
    edition: PlanEdition,
    found: dict[str, EvaluationFigures],
    owners: dict[str, OwnerPublic],
    as_of: date,
) -> list[EvaluatedIndicator]:
    """The edition's indicators in its own order: its targets (专栏二) each with the figure of
    the service that answers for it, then the register's caps (专栏四)."""
    by_source = {(s, f.code): f for s, figures in found.items() for f in figures.figures}
    items, used = [], set()
    for target in plans.view(edition).content.targets:
        source = SOURCES.get(target.code)
        figure = by_source.get(source) if source else None
        used.add(source)
        items.append(
            _indicator(
                code=target.code,
                name_zh=target.name_zh,
                clause=target.clause,
                target=target.value,
                unit=target.unit,
                binding=target.binding,
                source=source[0] if figure else None,
                figure=figure,
                owner=owners.get(target.code),
                as_of=as_of,
            )
        )
    for figure in found["rights"].figures:
        if ("rights", figure.code) in used:
            continue
        items.append(
            _indicator(
                code=figure.code,
                name_zh=figure.name_zh,
                clause=figure.clause,
                target=figure.target,
                unit=figure.unit,
                binding=figure.binding,
                source="rights",
                figure=figure,
                owner=owners.get(figure.code),
                as_of=as_of,
            )
        )
    return items


def _indicator(
    *,
    code: str,
    name_zh: str,
    clause: str,
    target: Decimal,
    unit: str,
    binding: bool,
    source: str | None,
    figure: Figure | None,
    owner: OwnerPublic | None,
    as_of: date,
) -> EvaluatedIndicator:
    actual = figure.actual if figure else None
    direction = figure.direction if figure else Direction.at_least
    attribute = Attribute.binding if binding else Attribute.expected
    met = actual is not None and (
        actual <= target if direction is Direction.at_most else actual >= target
    )
    return EvaluatedIndicator(
        code=code,
        name_zh=name_zh,
        name_en=NAMES_EN.get(code),
        clause=clause,
        target=target,
        actual=actual,
        unit=unit,
        unit_zh=UNITS_ZH.get(unit, unit),
        attribute=attribute,
        attribute_zh=ATTRIBUTE_ZH[attribute],
        direction=direction,
        met=met,
        source_service=source,
        source_target=figure.target if figure else None,
        as_of=as_of,
        records=figure.records if figure else [],
        owner=owner,
    )


def indicator_problems(items: list[EvaluatedIndicator]) -> list[EvaluationProblem]:
    found = []
    for i in items:
        if i.actual is None:
            words = (
                "无法计算（没有服务提供该指标的数据）" if i.source_service is None else "尚无数据"
            )
            found.append(_problem(ProblemKind.indicator_unmeasured, f"{i.name_zh}{words}", i))
        elif not i.met:
            over = "超出规划控制数" if i.direction is Direction.at_most else "未达到规划目标"
            numbers = f"实际 {num(i.actual)}，目标 {num(i.target)} {i.unit_zh}"
            found.append(
                _problem(ProblemKind.indicator_missed, f"{i.name_zh}{over}（{numbers}）", i)
            )
        if i.source_target is not None and i.source_target != i.target:
            found.append(
                _problem(
                    ProblemKind.target_mismatch,
                    f"{i.name_zh}：{i.source_service} 记录的目标 {num(i.source_target)} "
                    f"与规划版本的目标 {num(i.target)} 不一致",
                    i,
                )
            )
    return found


def _problem(kind: ProblemKind, title_zh: str, i: EvaluatedIndicator) -> EvaluationProblem:
    return EvaluationProblem(kind=kind, title_zh=title_zh, ref=i.code, clause=i.clause)


async def register_problems(
    session: AsyncSession, edition: PlanEdition, as_of: date
) -> list[EvaluationProblem]:
    """Conformance findings open and named deadlines missed, as of ``as_of``: the rules of that
    day over the rights live today that were in effect by then (a right closed since is no
    longer judged: a limit the README names)."""
    found = [
        EvaluationProblem(
            kind=ProblemKind.conformance_open,
            title_zh=f"{j.right.mine_name}：{j.zh}",
            ref=str(j.right.id),
            clause=j.clause,
        )
        for j in await judge_conformance(session=session, edition=edition, on=as_of)
        if j.right.valid_from <= as_of  # not a right granted after that day
    ]
    judged = await named_deadlines.judge(session=session, edition=edition, on=as_of)
    found += [
        EvaluationProblem(
            kind=ProblemKind.deadline_missed,
            title_zh=f"{d.title_zh}：{d.due_on} 到期未完成",
            ref=d.id,
            clause=d.clause,
        )
        for d in judged.deadlines
        if d.state is State.missed
    ]
    return found
