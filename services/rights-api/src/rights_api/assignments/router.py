"""HTTP for inspector assignments: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.deps import Bureau, BureauOrInspector, Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.assignments import service
from rights_api.assignments.schemas import AssignmentCreate, AssignmentFilters, AssignmentPublic

router = APIRouter(prefix="/inspector-assignments", tags=["sync 离线同步"])
Filters = Annotated[AssignmentFilters, Query()]


@router.post(
    "",
    status_code=201,
    summary="Assign a mine to an inspector 分派检查矿山",
    responses={409: problem_doc("The inspector already has the mine 已分派")},
)
async def assign(
    data: AssignmentCreate, session: Session, caller: Bureau, response: Response
) -> AssignmentPublic:
    """The mine enters the inspector's offline sync (`GET /sync`) with its boundary, licensed
    elevations, open orders and recent inspections. Name the random patrol 随机巡查 it carries
    out in `patrol_draw_id` (the draw must have picked the mine, else 422)."""
    row = await service.assign(session=session, data=data, by=caller.subject)
    response.headers["Location"] = f"/inspector-assignments/{row.id}"
    return AssignmentPublic.model_validate(row, from_attributes=True)


@router.get("", summary="Inspector assignments 检查分派列表")
async def list_assignments(
    session: Session, caller: BureauOrInspector, page: Paging, filters: Filters
) -> Page[AssignmentPublic]:
    """Oldest first. An inspector sees its own only."""
    rows = await service.list_assignments(
        session=session, page=page, caller=caller, filters=filters
    )
    return rows.shaped(AssignmentPublic)


@router.post(
    "/{assignment_id}/end",
    summary="End an assignment 撤回分派",
    responses={404: problem_doc("No such assignment"), 409: problem_doc("Already ended 已撤回")},
)
async def end(assignment_id: UUID, session: Session, caller: Bureau) -> AssignmentPublic:
    """The mine leaves the inspector's sync: its next `GET /sync?since=` lists the mine, its
    orders and inspections under `removed` (tombstones), and the app deletes them."""
    row = await service.end(session=session, assignment_id=assignment_id, by=caller.subject)
    return AssignmentPublic.model_validate(row, from_attributes=True)
