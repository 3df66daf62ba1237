"""HTTP for acceptance inspections."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.deps import BureauOrInspector, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.acceptances import service
from restoration_api.acceptances.schemas import AcceptanceCreate, AcceptancePublic
from restoration_api.legacy_sites.schemas import MineOrSiteFilters
from restoration_api.rights import Listing

router = APIRouter(tags=["works 治理工程与验收"])
PROBLEMS = {
    404: problem_doc("No such mine"),
    409: problem_doc("Closure plan missing 未报送闭坑治理方案"),
}


@router.post(
    "/acceptances",
    status_code=201,
    summary="Record an acceptance inspection 验收",
    responses=PROBLEMS,
)
async def record_acceptance(
    data: AcceptanceCreate, session: Session, caller: BureauOrInspector, response: Response
) -> AcceptancePublic:
    """Passed or failed, with the accepted area. For a mine it publishes
    `restoration.acceptance.passed` or `…failed` (with the reasons). With `closure: true` it decides
    the mine's open closure case, which needs the closure restoration plan first; a pass then
    carries `closure: true`, the case and the rights-api application id, which lets rights-api
    approve the closure (第六章第二节三).
    """
    acceptance = await service.record_acceptance(
        session=session, data=data, caller=caller, now=clock.now()
    )
    response.headers["Location"] = f"/acceptances/{acceptance.id}"
    return acceptance


@router.get("/acceptances", summary="List acceptance inspections 验收记录")
async def list_acceptances(
    rows: Listing, filters: Annotated[MineOrSiteFilters, Query()]
) -> Page[AcceptancePublic]:
    """Inspections of a mine or of a legacy site, passed or failed with reasons."""
    return await service.list_acceptances(rows, filters)
