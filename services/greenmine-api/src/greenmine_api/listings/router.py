"""HTTP for the list: public reads, the CSV export and the plan indicators."""

from typing import Annotated

from contracts.figures import EvaluationFigures, FiguresQuery
from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.csv_export import csv_response
from servicekit.deps import BureauOrSystem, Paging, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from greenmine_api.listings import service
from greenmine_api.listings.schemas import Indicators, ListingFilters, ListingPublic, ObligedMine
from greenmine_api.responses import PUBLIC

router = APIRouter()
LISTINGS = ["listings 绿色矿山名录"]
Filters = Annotated[ListingFilters, Query()]
ListCache = Annotated[None, cached("listings")]
CSV_COLUMNS = (
    "id",
    "right_id",
    "mine_name",
    "holder_name",
    "mineral",
    "status",
    "entry_date",
    "next_review_due",
    "benefits_suspended",
    "delisted_on",
)


@router.get(
    "/listings", tags=LISTINGS, summary="The green-mine list 绿色矿山名录", responses=PUBLIC
)
async def list_listings(
    session: Session, page: Paging, filters: Filters, _cache: ListCache
) -> Page[ListingPublic]:
    """Public. Every mine ever listed, by entry date; filter with
    `status=listed|rectifying|delisted`.
    """
    rows = await service.list_listings(session=session, page=page, filters=filters)
    return rows.shaped(ListingPublic)


@router.get(
    "/listings.csv",
    tags=LISTINGS,
    summary="The list as CSV 名录导出",
    response_class=Response,
    responses={**PUBLIC, 200: {"content": {"text/csv": {}}}},
)
async def export_csv(session: Session, filters: Filters, _cache: ListCache) -> Response:
    """Public; UTF-8 with BOM (opens in Excel), one row per listing."""
    rows = await service.all_listings(session=session, filters=filters)
    return csv_response(
        CSV_COLUMNS,
        ([getattr(row, c) for c in CSV_COLUMNS] for row in rows),
        filename="green-mines.csv",
    )


@router.get(
    "/indicators",
    tags=["indicators 规划指标"],
    summary="Green-mine indicators 绿色矿山规划指标",
    responses={409: problem_doc("No plan edition loaded 未加载规划版本")},
)
async def indicators(session: Session) -> Indicators:
    """Listed green mines against the active edition's target (4 for 2021–2025, 专栏二), and the new
    mines still obliged to reach the standard by the end of the period (新建矿山按绿色矿山标准建设).
    Public.
    """
    found = await service.indicators(session, clock.local_today())
    obliged = [ObligedMine.model_validate(m, from_attributes=True) for m in found.pop("obliged")]
    return Indicators(**found, obliged_count=len(obliged), obliged=obliged)


@router.get(
    "/evaluation-figures",
    tags=["indicators 规划指标"],
    summary="Green-mine figures as of a date 绿色矿山指标评估数据",
    responses={404: problem_doc("No such plan edition")},
)
async def evaluation_figures(
    query: Annotated[FiguresQuery, Query()], session: Session, _: BureauOrSystem
) -> EvaluationFigures:
    """The green mines on the list at the end of `as_of` (entered by then, not delisted by then)
    against the edition's target (专栏二), with the listings behind the count: what rights-api
    reads to assemble the plan evaluation (第七章二).
    """
    return await service.figures(session=session, edition=query.edition, as_of=query.as_of)
