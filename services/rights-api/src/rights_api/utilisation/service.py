"""Three rates 三率 (第四章第三节): reports judged against the thresholds of the edition in
force for their year, the findings published, and the yearly overview of every producing mine.
Functions never commit: the caller owns the transaction."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar
from uuid import UUID

from contracts.mining import MiningMethod, RightKind, RightStatus
from contracts.rights import UtilisationFinding, UtilisationFlagged
from pydantic import BaseModel
from servicekit import clock
from servicekit.auth import Principal
from servicekit.csv_export import csv_text
from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from servicekit.events.outbox import publish
from servicekit.pagination import Page, PageParams
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import PlanContent, UtilisationRule
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.utilisation.models import UtilisationReport
from rights_api.utilisation.schemas import (
    RULES_ZH,
    Finding,
    MineStanding,
    MineUtilisation,
    Rate,
    UtilisationOverview,
    UtilisationReportCreate,
    UtilisationReportFilters,
    UtilisationReportPublic,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
Shaped = TypeVar("Shaped", bound=BaseModel)


def waste_rock_utilisation(produced: Decimal, reused: Decimal) -> Decimal | None:
    """reused / produced in percent, 2 decimals; None without waste rock."""
    if produced == 0:
        return None
    return (reused / produced * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def actual_rates(
    report: UtilisationReport | UtilisationReportCreate,
) -> dict[UtilisationRule, Decimal | None]:
    return {
        UtilisationRule.mining_recovery: report.mining_recovery_pct,
        UtilisationRule.processing_recovery: report.processing_recovery_pct,
        UtilisationRule.comprehensive_utilisation: report.comprehensive_utilisation_pct,
        UtilisationRule.waste_rock_utilisation: waste_rock_utilisation(
            report.waste_rock_t, report.waste_rock_reused_t
        ),
    }


def judge(
    content: PlanContent,
    mineral: str,
    method: MiningMethod | None,
    report: UtilisationReport | UtilisationReportCreate | None,
) -> list[Rate]:
    """Every rule the edition sets for the mine's mineral and method (or the report gives), in
    the rules' order; a rate not reported is never ``below`` (a missing report is shown as
    missing, a rate the mine does not have, e.g. no processing, is no finding)."""
    thresholds = content.thresholds_for(mineral, method)
    actual = actual_rates(report) if report is not None else {}
    rates = []
    for rule in UtilisationRule:
        threshold = thresholds.get(rule)
        value = actual.get(rule)
        if threshold is None and value is None:
            continue
        rates.append(
            Rate(
                rule=rule,
                rule_zh=RULES_ZH[rule],
                actual=value,
                threshold=threshold.minimum_pct if threshold else None,
                source=threshold.source if threshold else None,
                clause=threshold.clause if threshold else None,
                below=threshold is not None and value is not None and value < threshold.minimum_pct,
            )
        )
    return rates


def findings_of(rates: list[Rate]) -> list[Finding]:
    return [_as(Finding, r) for r in rates if r.below]


def _as(model: type[Shaped], source: BaseModel) -> Shaped:
    """``source``'s fields that ``model`` has, as a ``model`` (a rate as a finding, a finding as
    the event's)."""
    return model.model_validate(source.model_dump(include=set(model.model_fields)))


async def _edition_for(session: AsyncSession, year: int, field: str) -> PlanEdition:
    """The edition in force at the end of ``year`` judges it (none: 422 naming ``field``)."""
    try:
        return await plans.edition_in_force(session=session, on=date(year, 12, 31))
    except NotFound:
        raise validation_error(
            [FieldError(field=field, message=f"no plan edition is in force in {year}")]
        ) from None


def _check(data: UtilisationReportCreate, right: Right) -> None:
    errors = []
    if right.kind != RightKind.mining:
        errors.append(FieldError(field="body.right_id", message="is not a mining right"))
    if data.year > clock.local_today().year:
        errors.append(FieldError(field="body.year", message="has not begun"))
    if data.waste_rock_reused_t > data.waste_rock_t:
        errors.append(
            FieldError(
                field="body.waste_rock_reused_t",
                message=f"exceeds the waste rock produced ({data.waste_rock_t} t)",
            )
        )
    if errors:
        raise validation_error(errors)


async def file_report(
    *, session: AsyncSession, data: UtilisationReportCreate, caller: Principal
) -> UtilisationReportPublic:
    """A right's report for a year (the holder for its own rights, or the bureau): judged
    against the edition in force at the year's end; below a threshold → findings, published as
    ``rights.utilisation.flagged`` to the holder. One per right and year (409)."""
    right = await rights.get_right(
        session=session, right_id=data.right_id, principal=caller, for_update=True
    )
    _check(data, right)
    taken = await session.scalar(
        select(UtilisationReport.id).where(
            UtilisationReport.right_id == right.id, UtilisationReport.year == data.year
        )
    )
    if taken is not None:
        raise Conflict(
            f"The {data.year} report of {right.mine_name} was filed already "
            f"(/utilisation-reports/{taken}); a report is final.",
            report_id=str(taken),
        )
    edition = await _edition_for(session, data.year, "body.year")
    content = plans.view(edition).content
    findings = findings_of(judge(content, right.mineral, right.method, data))
    report = UtilisationReport(
        **data.model_dump(),
        edition_id=edition.id,
        edition_version=edition.version,
        findings=[f.model_dump(mode="json") for f in findings],
        reported_by=caller.subject,
    )
    session.add(report)
    await session.flush()
    if findings:
        await publish(
            session,
            UtilisationFlagged(
                report_id=report.id,
                right_id=right.id,
                holder_id=right.holder_id,
                licence_no=right.licence_no,
                mine_name=right.mine_name,
                mineral=right.mineral,
                year=report.year,
                edition_code=edition.code,
                findings=[_as(UtilisationFinding, f) for f in findings],
                reported_at=report.created_at,
            ),
            subject=str(right.id),
        )
    [shown] = await public(session=session, reports=[report])
    return shown


async def public(
    *, session: AsyncSession, reports: list[UtilisationReport]
) -> list[UtilisationReportPublic]:
    ids = {r.edition_id for r in reports}
    codes = (
        dict(
            (
                await session.exec(
                    select(PlanEdition.id, PlanEdition.code).where(PlanEdition.id.in_(ids))
                )
            ).all()
        )
        if ids
        else {}
    )
    return [
        UtilisationReportPublic.model_validate(
            {
                **{name: getattr(r, name) for name in UtilisationReport.model_fields},
                "edition_code": codes[r.edition_id],
                "waste_rock_utilisation_pct": waste_rock_utilisation(
                    r.waste_rock_t, r.waste_rock_reused_t
                ),
            }
        )
        for r in reports
    ]


async def get(
    *, session: AsyncSession, report_id: UUID, caller: Principal
) -> UtilisationReportPublic:
    """404 too for another holder's report."""
    report, _ = await rights.on_visible_right(
        session, UtilisationReport, report_id, caller=caller, what="utilisation report"
    )
    [shown] = await public(session=session, reports=[report])
    return shown


async def of_right(*, session: AsyncSession, right_id: UUID, year: int) -> UtilisationReport | None:
    """The right's report for ``year`` (the reserve verification links it)."""
    return (
        await session.exec(
            select(UtilisationReport).where(
                UtilisationReport.right_id == right_id, UtilisationReport.year == year
            )
        )
    ).first()


async def list_reports(
    *,
    session: AsyncSession,
    page: PageParams,
    caller: Principal,
    filters: UtilisationReportFilters,
) -> Page[UtilisationReportPublic]:
    rows = await rights.visible_page(
        session=session, model=UtilisationReport, filters=filters, caller=caller, page=page
    )
    return rows.with_items(await public(session=session, reports=rows.items))


async def overview(*, session: AsyncSession, year: int, caller: Principal) -> UtilisationOverview:
    """Every mine that reported for ``year``, and every mining right producing today whose
    licence ran in ``year`` (without a report: ``missing``), against the thresholds the edition
    in force at the year's end has now. Enterprises see their own mines only."""
    edition = await _edition_for(session, year, "query.year")
    content = plans.view(edition).content
    start, end = date(year, 1, 1), date(year, 12, 31)
    query = (
        select(Right, UtilisationReport)
        .outerjoin(
            UtilisationReport,
            (UtilisationReport.right_id == Right.id) & (UtilisationReport.year == year),
        )
        .where(
            (UtilisationReport.id.is_not(None))
            | (
                (Right.kind == RightKind.mining)
                & (Right.status == RightStatus.producing)
                & (Right.valid_from <= end)
                & (Right.valid_to >= start)
            )
        )
        .order_by(Right.licence_no)
    )
    if caller.own_holder is not None:
        query = query.where(Right.holder_id == caller.own_holder)
    mines = []
    for right, report in (await session.exec(query)).all():
        rates = judge(content, right.mineral, right.method, report)
        mines.append(
            MineUtilisation(
                right_id=right.id,
                licence_no=right.licence_no,
                mine_name=right.mine_name,
                holder_id=right.holder_id,
                mineral=right.mineral,
                method=right.method,
                status=right.status,
                standing=MineStanding.reported if report else MineStanding.missing,
                report_id=report.id if report else None,
                ore_mined_t=report.ore_mined_t if report else None,
                waste_rock_t=report.waste_rock_t if report else None,
                waste_rock_reused_t=report.waste_rock_reused_t if report else None,
                rates=rates,
                below=[r.rule for r in rates if r.below],
            )
        )
    reported = sum(1 for m in mines if m.standing == MineStanding.reported)
    return UtilisationOverview(
        year=year,
        edition_id=edition.id,
        edition_code=edition.code,
        edition_version=edition.version,
        judged_on=clock.local_today(),
        producing=len(mines),
        reported=reported,
        missing=len(mines) - reported,
        below_threshold=sum(1 for m in mines if m.below),
        mines=mines,
    )


CSV_HEAD = [
    "year",
    "licence_no",
    "mine_name",
    "mineral",
    "method",
    "status",
    "standing",
    "ore_mined_t",
    "waste_rock_t",
    "waste_rock_reused_t",
]


def as_csv(found: UtilisationOverview) -> str:
    """One row per mine: for each rule its actual, threshold, source and whether below; then
    the rules below (servicekit's CSV writer: BOM, formula-like text quoted)."""
    per_rule = [
        f"{rule.value}_{part}"
        for rule in UtilisationRule
        for part in ("pct", "min_pct", "source", "below")
    ]
    rows = []
    for m in found.mines:
        rates = {r.rule: r for r in m.rates}
        cells = []
        for rule in UtilisationRule:
            r = rates.get(rule)
            cells += (
                ["", "", "", ""]
                if r is None
                else [
                    _cell(r.actual),
                    _cell(r.threshold),
                    _cell(r.source),
                    "yes" if r.below else "no",
                ]
            )
        rows.append(
            [
                found.year,
                m.licence_no,
                m.mine_name,
                m.mineral.value,
                _cell(m.method),
                m.status.value,
                m.standing.value,
                _cell(m.ore_mined_t),
                _cell(m.waste_rock_t),
                _cell(m.waste_rock_reused_t),
                str(m.right_id),
                *cells,
                ";".join(rule.value for rule in m.below),
            ]
        )
    return csv_text([*CSV_HEAD, "right_id", *per_rule, "below"], rows)


def _cell(value: object) -> object:
    # an enum as its value; numbers stay numbers for the CSV writer
    return getattr(value, "value", value)
