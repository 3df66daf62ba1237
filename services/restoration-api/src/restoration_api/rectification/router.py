"""HTTP for restoration rectification orders."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.deps import Bureau, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.rectification import service
from restoration_api.rectification.schemas import (
    RectificationCreate,
    RectificationPublic,
    RectificationResolve,
)
from restoration_api.rights import Listing, MineStatusFilters

router = APIRouter(prefix="/rectifications", tags=["rectifications 限期整改"])
NO_MINE = {404: problem_doc("No such mine")}
NO_SUCH = {404: problem_doc("No such rectification (or not yours)")}


@router.post("", status_code=201, summary="Order rectification 责令限期整改", responses=NO_MINE)
async def order(
    data: RectificationCreate, session: Session, caller: Bureau, response: Response
) -> RectificationPublic:
    """Publishes `restoration.rectification.ordered` with the deadline; when the date passes
    unresolved the `rectification_overdue` job publishes `…overdue`.
    """
    rect = await service.order(session=session, data=data, caller=caller, now=clock.now())
    response.headers["Location"] = f"/rectifications/{rect.id}"
    return rect


@router.get("", summary="Rectification orders 整改通知列表")
async def list_rectifications(
    rows: Listing, filters: Annotated[MineStatusFilters, Query()]
) -> Page[RectificationPublic]:
    """Orders by mine and status; enterprises see their own."""
    return await service.list_rectifications(rows, filters)


@router.get("/{rectification_id}", summary="A rectification order 整改通知详情", responses=NO_SUCH)
async def get_rectification(
    rectification_id: UUID, session: Session, caller: Reader
) -> RectificationPublic:
    """One order with its deadline and outcome."""
    return await service.get(session=session, rectification_id=rectification_id, caller=caller)


@router.post(
    "/{rectification_id}/resolve",
    summary="Resolve a rectification 整改完成",
    responses={**NO_SUCH, 409: problem_doc("Already resolved")},
)
async def resolve(
    rectification_id: UUID, data: RectificationResolve, session: Session, caller: Bureau
) -> RectificationPublic:
    """Reviewers confirm the fix; publishes `restoration.rectification.resolved` with the deadline
    met. An overdue order can still be resolved.
    """
    return await service.resolve(
        session=session,
        rectification_id=rectification_id,
        data=data,
        caller=caller,
        now=clock.now(),
    )
