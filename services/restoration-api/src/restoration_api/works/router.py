"""HTTP for restoration works."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.deps import BureauOrHolder, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.legacy_sites.schemas import MineOrSiteFilters
from restoration_api.rights import Listing
from restoration_api.works import service
from restoration_api.works.schemas import WorkCreate, WorkPublic

router = APIRouter(tags=["works 治理工程与验收"])
NO_MINE = {404: problem_doc("No such mine (or not yours)")}
NO_WORK = {404: problem_doc("No such work")}


@router.post(
    "/works", status_code=201, summary="Register a restoration work 登记治理工程", responses=NO_MINE
)
async def create_work(
    data: WorkCreate, session: Session, caller: BureauOrHolder, response: Response
) -> WorkPublic:
    """A work item of a mine (paid by expenditures from its fund) or of a legacy site (paid from a
    program fund). Enterprises register works of their own mines.
    """
    work = await service.create_work(session=session, data=data, caller=caller, now=clock.now())
    response.headers["Location"] = f"/works/{work.id}"
    return work


@router.get("/works", summary="List restoration works 治理工程列表")
async def list_works(
    rows: Listing, filters: Annotated[MineOrSiteFilters, Query()]
) -> Page[WorkPublic]:
    """Works of a mine or of a legacy site, with the money spent on each."""
    return await service.list_works(rows, filters)


@router.get("/works/{work_id}", summary="A restoration work 治理工程详情", responses=NO_WORK)
async def get_work(work_id: UUID, session: Session, caller: Reader) -> WorkPublic:
    """One work, with the expenditures posted against it net of reversals."""
    return await service.get_work(session=session, work_id=work_id, caller=caller)
