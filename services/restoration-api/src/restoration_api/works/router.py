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
from restoration_api.works.schemas import WorkBoundarySet, WorkCreate, WorkPublic

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


@router.put(
    "/works/{work_id}/boundary",
    summary="Set a work's treated area 设置治理工程范围",
    responses=NO_WORK,
)
async def set_boundary(
    work_id: UUID, data: WorkBoundarySet, session: Session, caller: BureauOrHolder
) -> WorkPublic:
    """The area the work treats or reclaims, as a GeoJSON Polygon or MultiPolygon in CGCS2000
    (EPSG:4490) longitude/latitude (a 422 naming `body.boundary` when a ring is open, too short,
    self-intersecting or far from Erenhot). Enterprises set it on their own mines' works. A mine's
    work with a boundary is a restoration area on `GET /restoration-areas.geojson`.
    """
    return await service.set_boundary(session=session, work_id=work_id, data=data, caller=caller)
