"""HTTP for publicity periods and objections to them (closing one: publicity_outcomes)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from servicekit.deps import Bureau, Paging, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page
from servicekit.rate_limit import rate_limited

from greenmine_api.publicity import service
from greenmine_api.publicity.schemas import (
    ObjectionCreate,
    ObjectionDecision,
    ObjectionPublic,
    ObjectionReceipt,
    PublicityFilters,
    PublicityPublic,
)
from greenmine_api.responses import (
    NO_SUCH_PUBLICITY,
    PUBLIC,
    TOO_MANY_SUBMISSIONS,
    client_address,
    decision_responses,
)

router = APIRouter(tags=["publicity 公示"])
PublicityCache = Annotated[None, cached("publicities")]


@router.get("/publicities", summary="Publicity periods 公示列表", responses=PUBLIC)
async def list_publicities(
    session: Session,
    page: Paging,
    filters: Annotated[PublicityFilters, Query()],
    _cache: PublicityCache,
) -> Page[PublicityPublic]:
    """Public. `status=open` lists the mines in publicity now."""
    rows = await service.list_publicities(session=session, page=page, filters=filters)
    return rows.shaped(PublicityPublic)


@router.get(
    "/publicities/{publicity_id}",
    summary="One publicity 公示详情",
    responses={**PUBLIC, **NO_SUCH_PUBLICITY},
)
async def get_publicity(
    publicity_id: UUID, session: Session, _cache: PublicityCache
) -> PublicityPublic:
    """Public."""
    return PublicityPublic.model_validate(
        await service.get(session, publicity_id), from_attributes=True
    )


@router.post(
    "/publicities/{publicity_id}/objections",
    status_code=201,
    summary="Object during publicity 公示异议",
    responses={**NO_SUCH_PUBLICITY, 409: problem_doc("Not in the period"), **TOO_MANY_SUBMISSIONS},
    dependencies=[Depends(rate_limited("complaint_request_rate"))],
)
async def object_to(
    publicity_id: UUID, data: ObjectionCreate, session: Session, request: Request
) -> ObjectionReceipt:
    """Anyone, without an account, from the first to the last day of the period. Size-limited;
    rate-limited per client address together with complaints (429).
    """
    objection = await service.object_to(
        session=session,
        publicity_id=publicity_id,
        data=data,
        address=client_address(request),
        settings=request.app.state.settings,
    )
    return ObjectionReceipt.model_validate(objection, from_attributes=True)


@router.get(
    "/publicities/{publicity_id}/objections",
    summary="Objections to a publicity 公示异议列表",
    responses=NO_SUCH_PUBLICITY,
)
async def list_objections(
    publicity_id: UUID, session: Session, _: Bureau, page: Paging
) -> Page[ObjectionPublic]:
    """Bureau staff only (objectors' contacts are not public)."""
    rows = await service.objections(session=session, publicity_id=publicity_id, page=page)
    return rows.shaped(ObjectionPublic)


@router.post(
    "/objections/{objection_id}/decision",
    summary="Decide an objection 异议处理",
    responses=decision_responses("objection"),
)
async def decide_objection(
    objection_id: UUID, data: ObjectionDecision, session: Session, _: Bureau
) -> ObjectionPublic:
    """Upheld: the publicity fails when it closes. Dismissed: no effect."""
    objection = await service.decide_objection(
        session=session, objection_id=objection_id, data=data
    )
    return ObjectionPublic.model_validate(objection, from_attributes=True)
