"""HTTP for three-rates reports and the utilisation overview: parse, authorize, call the
service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from servicekit.csv_export import csv_file
from servicekit.deps import BureauOrHolder, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.utilisation import service
from rights_api.utilisation.schemas import (
    UtilisationOverview,
    UtilisationQuery,
    UtilisationReportCreate,
    UtilisationReportFilters,
    UtilisationReportPublic,
)

TAG = "utilisation 三率"
router = APIRouter(tags=[TAG])
Filters = Annotated[UtilisationReportFilters, Query()]
YearQuery = Annotated[UtilisationQuery, Query()]
NOT_FOUND = {404: problem_doc("No such report (or another holder's) 无此报表")}
FILE_RESPONSES = {
    404: problem_doc("No such right (or another holder's) 无此矿业权"),
    409: problem_doc("This right's report for the year was filed already 该年度已报送"),
}
CSV_CONTENT = {
    200: {
        "content": {
            "text/csv": {
                "example": (
                    "\ufeffyear,licence_no,mine_name,…\r\n"
                    "2025,C1525…,二连浩特市白音敖包萤石矿,…\r\n"
                )
            }
        },
        "description": "UTF-8 CSV with a BOM (Excel), a header row, one row per mine",
    }
}


def _csv(found: UtilisationOverview) -> Response:
    return csv_file(service.as_csv(found), filename=f"utilisation-{found.year}.csv")


@router.post(
    "/utilisation-reports",
    status_code=201,
    summary="File a three-rates report 报送三率指标",
    responses=FILE_RESPONSES,
)
async def file_report(
    data: UtilisationReportCreate, session: Session, caller: BureauOrHolder, response: Response
) -> UtilisationReportPublic:
    """A mining right's yearly three rates 三率 (第四章第三节) with the waste rock produced and
    reused, by its holder (own rights only; another holder's right is 404) or the bureau. The
    report is judged against the thresholds of the edition in force at the year's end
    (`utilisation_thresholds`: the plan's fluorite waste-rock utilisation ≥ 80 %, 第八章第三节,
    and the configured regional minimums, marked `configuration`); each rate below is a finding
    (`rule`, `clause`, `threshold`, `actual`), published as `rights.utilisation.flagged` to the
    holder. One report per right and year: a second is 409 (a report is final; the bureau's
    annual reserve verification is where a wrong figure is noted). Send an `Idempotency-Key`.
    """
    report = await service.file_report(session=session, data=data, caller=caller)
    return created(response, report, f"/utilisation-reports/{report.id}")


@router.get("/utilisation-reports", summary="List three-rates reports 三率报表列表")
async def list_reports(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[UtilisationReportPublic]:
    """In the order filed; filter by right and year. Enterprises see their own mines' reports."""
    return await service.list_reports(session=session, page=page, caller=caller, filters=filters)


@router.get(
    "/utilisation-reports/{report_id}",
    summary="A three-rates report 三率报表详情",
    responses=NOT_FOUND,
)
async def get_report(
    report_id: UUID, session: Session, caller: Reader, response: Response
) -> UtilisationReportPublic:
    """The report with the findings it had when filed. Another holder's report is 404."""
    return versioned(
        response, await service.get(session=session, report_id=report_id, caller=caller)
    )


@router.get(
    "/utilisation",
    summary="Every mine's three rates against the thresholds 年度三率指标汇总",
    responses={
        200: {
            "content": {"application/json": {}, **CSV_CONTENT[200]["content"]},
            "description": "The overview; CSV with `Accept: text/csv`",
        }
    },
)
async def utilisation(
    session: Session,
    caller: Reader,
    query: YearQuery,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> UtilisationOverview:
    """For `year`: every mine that reported and every mining right producing today whose licence
    ran that year (a mine without a report is `missing`), each rate against the threshold the
    edition in force at the year's end sets now (`below`), the plan's own numbers marked
    `source: plan` with their clause, the others `configuration`. Bureau, inspectors and
    government systems see every mine; an enterprise its own. `Accept: text/csv` (or
    `/utilisation.csv`) answers the same as CSV.
    """
    found = await service.overview(session=session, year=query.year, caller=caller)
    if accept and "text/csv" in accept:
        return _csv(found)  # type: ignore[return-value]
    return found


@router.get(
    "/utilisation.csv",
    summary="Every mine's three rates as CSV 年度三率指标导出",
    response_class=Response,
    responses=CSV_CONTENT,
)
async def utilisation_csv(session: Session, caller: Reader, query: YearQuery) -> Response:
    """The overview of `GET /utilisation` as CSV: UTF-8 with a byte-order mark (so Excel reads the
    Chinese names), a header row, one row per mine; per rule `<rule>_pct`, `<rule>_min_pct`,
    `<rule>_source` (plan / configuration) and `<rule>_below` (yes / no); `below` lists the rules
    below their threshold, `;`-separated.
    """
    return _csv(await service.overview(session=session, year=query.year, caller=caller))
