"""HTTP for the plan evaluation and its reports: parse, authorize, call the service, shape (JSON,
HTML, PDF or CSV)."""

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from servicekit import clock
from servicekit.csv_export import csv_file
from servicekit.deps import Admin, BureauOrSystem, Session
from servicekit.downloads import download
from servicekit.errors import problem_doc

from rights_api.attachments.http import Settings
from rights_api.evaluations import owners as owner_service
from rights_api.evaluations import report, service
from rights_api.evaluations.schemas import (
    EVALUATION_EXAMPLE,
    Evaluation,
    OwnerPublic,
    Owners,
    OwnerSet,
    Scope,
)

router = APIRouter(prefix="/plan-editions", tags=["evaluation 规划实施评估"])
Year = Annotated[int, Path(ge=1900, le=2200, examples=[2023])]
PDF, HTML_TYPE = "application/pdf", "text/html"
ERRORS = {
    404: problem_doc("No such plan edition 无此规划版本"),
    422: problem_doc("The year is outside the edition's period 年份不在规划期内"),
    502: problem_doc("restoration-api or greenmine-api did not answer (named in `service`)"),
}
MEDIA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The evaluation: JSON, or with `Accept: text/html` the report page, or "
        "with `Accept: application/pdf` the report as a PDF in Chinese (fonts embedded)",
        "content": {
            "application/json": {"example": EVALUATION_EXAMPLE},
            HTML_TYPE: {"schema": {"type": "string"}, "example": "<!doctype html>…"},
            PDF: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **ERRORS,
}
CSV_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "UTF-8 CSV with a BOM (Excel), a header row, one row per indicator",
        "content": {
            "text/csv": {
                "example": "\ufeffcode,name_zh,name_en,clause,target,actual,unit,…\r\n"
                "city_small_mines,本市发证普通建筑用砂石矿及小型非金属矿山数量,…,专栏二,4,4,个,…\r\n"
            }
        },
    },
    **ERRORS,
}


async def _shaped(request: Request, evaluation: Evaluation) -> Evaluation | Response:
    """The evaluation in the media type asked for; rendering runs in a worker thread."""
    accept = request.headers.get("accept", "")
    name = f"evaluation-{evaluation.edition_code}-{evaluation.year}-{evaluation.scope}"
    if PDF in accept:
        body = await asyncio.to_thread(report.pdf, evaluation)
        return download(body, media_type=PDF, filename=f"{name}.pdf", disposition="inline")
    if HTML_TYPE in accept:
        page = await asyncio.to_thread(report.html, evaluation)
        return download(page, media_type=HTML_TYPE, filename=f"{name}.html", disposition="inline")
    return evaluation


async def _evaluate(session, config, edition_id: UUID, scope: Scope, year: int | None = None):
    return await service.evaluate(
        session=session,
        settings=config,
        edition_id=edition_id,
        scope=scope,
        year=year,
        today=clock.local_today(),
    )


@router.get(
    "/{edition_id}/evaluations/midterm",
    summary="Mid-term evaluation 中期评估",
    responses=MEDIA,
)
async def midterm(
    edition_id: UUID, request: Request, session: Session, config: Settings, _: BureauOrSystem
) -> Evaluation:
    """The evaluation of the period's middle year, computed from the edition's period (2023 for
    2021–2025), as of its last day: see `GET /plan-editions/{id}/evaluations/{year}`.
    """
    return await _shaped(request, await _evaluate(session, config, edition_id, "midterm"))


@router.get(
    "/{edition_id}/evaluations/period",
    summary="Evaluation of the whole period 规划期评估",
    responses=MEDIA,
)
async def period(
    edition_id: UUID, request: Request, session: Session, config: Settings, _: BureauOrSystem
) -> Evaluation:
    """The evaluation as of the period's end (or today, if earlier), with `by_year`: every
    indicator's actual at each year's end of the period so far (the report charts it).
    """
    return await _shaped(request, await _evaluate(session, config, edition_id, "period"))


@router.get(
    "/{edition_id}/evaluations/{year}.csv",
    summary="A year's evaluation as CSV 年度评估 CSV",
    response_class=Response,
    responses=CSV_CONTENT,
)
async def evaluation_csv(
    edition_id: UUID, year: Year, session: Session, config: Settings, _: BureauOrSystem
) -> Response:
    """One row per indicator: code, Chinese and English name, clause, target, actual, unit,
    attribute, met, source service, as-of day, owner unit and person, and the records behind the
    actual (code and name, `;`-separated).
    """
    found = await _evaluate(session, config, edition_id, "year", year)
    return csv_file(report.as_csv(found), filename=f"evaluation-{found.edition_code}-{year}.csv")


@router.get(
    "/{edition_id}/evaluations/{year}",
    summary="A year's evaluation of the plan 年度评估",
    responses=MEDIA,
)
async def yearly(
    edition_id: UUID,
    year: Year,
    request: Request,
    session: Session,
    config: Settings,
    _: BureauOrSystem,
) -> Evaluation:
    """Every indicator of 专栏二 and 专栏四 as of the end of `year` (第七章二 年度评估): target
    (the edition's data), actual computed from the records as they stood that day (a mine closed
    or a listing removed later still counts), unit, attribute (binding 约束性 / expected 预期性),
    met, the service holding the records (`rights`, `restoration`, `greenmine`) and the records
    themselves (mines, acceptances, listings), and the owner unit and person responsible
    (第七章一). `problems`: indicators missed, conformance findings open and named deadlines
    missed that day.

    restoration-api and greenmine-api are asked with this service's token; one that does not
    answer fails the evaluation with a 502 naming it in `service`. 422 naming `path.year` outside
    the edition's period. `Accept: text/html` or `application/pdf` for the report (with charts);
    `GET …/evaluations/{year}.csv` for the CSV. Bureau staff and government systems.
    """
    return await _shaped(request, await _evaluate(session, config, edition_id, "year", year))


@router.get(
    "/{edition_id}/indicator-owners",
    summary="Who answers for each indicator 指标责任单位与责任人",
    responses={404: problem_doc("No such plan edition 无此规划版本")},
)
async def owners(edition_id: UUID, session: Session, _: BureauOrSystem) -> Owners:
    """The owner unit and person responsible per indicator code of the edition (第七章一
    规划实施责任考核), as shown in every evaluation and report.
    """
    return await owner_service.list_owners(session=session, edition_id=edition_id)


@router.put(
    "/{edition_id}/indicator-owners/{code}",
    summary="Set who answers for an indicator 设定指标责任单位与责任人",
    responses={
        201: {"model": OwnerPublic, "description": "Set for the first time"},
        404: problem_doc("No such plan edition 无此规划版本"),
        422: problem_doc("The edition has no such indicator (names `path.code`)"),
    },
)
async def set_owner(
    edition_id: UUID,
    code: Annotated[str, Path(max_length=40, examples=["legacy_restoration_km2"])],
    data: OwnerSet,
    session: Session,
    caller: Admin,
    response: Response,
) -> OwnerPublic:
    """Sets (or replaces) the owner unit and the person responsible for one indicator of the
    edition (第七章一). 201 the first time, 200 when replaced; 422 naming `path.code` for a code
    the edition does not have (its targets of 专栏二 and its caps of 专栏四). Bureau admins.
    """
    owner, created = await owner_service.set_owner(
        session=session, edition_id=edition_id, code=code, data=data, caller=caller
    )
    response.status_code = 201 if created else 200
    return owner
