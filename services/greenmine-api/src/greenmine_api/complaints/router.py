"""HTTP for complaints from the public 社会举报."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from servicekit.deps import Bureau, Paging, Session
from servicekit.pagination import Page
from servicekit.rate_limit import rate_limited

from greenmine_api.complaints import service
from greenmine_api.complaints.schemas import (
    ComplaintCreate,
    ComplaintDecision,
    ComplaintFilters,
    ComplaintPublic,
    ComplaintReceipt,
)
from greenmine_api.responses import (
    NOT_ON_LIST,
    TOO_MANY_SUBMISSIONS,
    client_address,
    decision_responses,
)

router = APIRouter(tags=["complaints 社会举报"])


@router.post(
    "/complaints",
    status_code=201,
    summary="File a complaint 社会举报",
    responses={**NOT_ON_LIST, **TOO_MANY_SUBMISSIONS},
    dependencies=[Depends(rate_limited("complaint_request_rate"))],
)
async def file_complaint(
    data: ComplaintCreate, session: Session, request: Request
) -> ComplaintReceipt:
    """Anyone, without an account, about a mine on the list. Content up to 2000 characters; at most
    `GREENMINE_COMPLAINT_RATE_LIMIT` complaints and objections per client address per window (429
    with Retry-After), counted in the database across replicas.
    """
    complaint = await service.file(
        session=session,
        data=data,
        address=client_address(request),
        settings=request.app.state.settings,
    )
    return ComplaintReceipt.model_validate(complaint, from_attributes=True)


@router.get("/complaints", summary="Complaints 举报列表")
async def list_complaints(
    session: Session, _: Bureau, page: Paging, filters: Annotated[ComplaintFilters, Query()]
) -> Page[ComplaintPublic]:
    """Bureau staff only."""
    rows = await service.list_complaints(session=session, page=page, filters=filters)
    return rows.shaped(ComplaintPublic)


@router.post(
    "/complaints/{complaint_id}/decision",
    summary="Verify a complaint 举报核查",
    responses=decision_responses("complaint"),
)
async def decide(
    complaint_id: UUID, data: ComplaintDecision, session: Session, _: Bureau
) -> ComplaintPublic:
    """Substantiated: the mine gets a 6-month rectification with benefits suspended
    (`greenmine.rectification.ordered`, `greenmine.benefits.suspended`).
    """
    complaint = await service.decide(session=session, complaint_id=complaint_id, data=data)
    return ComplaintPublic.model_validate(complaint, from_attributes=True)
