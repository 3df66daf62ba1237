"""Public disclosure: no token needed, published data only."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from servicekit.csv_export import csv_file
from servicekit.deps import Session, token_checked
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.http_cache import cached

from restoration_api.disclosure import service
from restoration_api.disclosure.schemas import Disclosure

DisclosureCache = Annotated[
    None,
    cached("mining_rights", "funds", "transfers", "restoration_plans", "works", "acceptances"),
]

# public, but a token that is sent must be valid: a bad one is refused, never read as anonymous
router = APIRouter(
    prefix="/disclosures",
    tags=["disclosure 信息公示"],
    dependencies=[Depends(token_checked)],
)


@router.get(
    "/export.csv",
    response_class=Response,
    summary="Yearly export for the disclosure system 公示系统年度导出",
    responses={200: {"content": {"text/csv": {}}}, **PROBLEM_RESPONSES},
)
async def export(
    session: Session,
    year: Annotated[int, Query(ge=2000, le=2100, examples=[2026])],
    _cache: DisclosureCache,
) -> Response:
    """One CSV row per mine: accrual, deposits, spending and plan execution in the year, for
    矿业权人勘查开采信息公示系统. Public.
    """
    body = await service.export_csv(session=session, year=year)
    return csv_file(body, filename=f"restoration-{year}.csv")


@router.get(
    "/{right_id}",
    summary="A mine's public disclosure 基金与治理信息公示",
    responses={404: problem_doc("No such mine")},
)
async def get_disclosure(right_id: UUID, session: Session, _cache: DisclosureCache) -> Disclosure:
    """Per year: accrual 提取, deposits 缴存, spending 使用 and plan execution (scheduled vs worked
    vs accepted area). Public, no token.
    """
    return await service.disclosure(session=session, right_id=right_id)
