"""HTTP for complaints from the public 社会举报."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from servicekit.auth import BUREAU, Principal, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.rate_limit import RATE_LIMITED_RESPONSE, rate_limited
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.complaints import service
from greenmine_api.complaints.schemas import (
    ComplaintCreate,
    ComplaintDecision,
    ComplaintPublic,
    ComplaintReceipt,
)

router = APIRouter(tags=["complaints 社会举报"])
Session = Annotated[AsyncSession, Depends(get_session)]
Bureau = Annotated[Principal, Depends(require(*BUREAU))]


@router.post(
    "/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintReceipt,
    summary="File a complaint 社会举报",
    description="Anyone, without an account, about a mine on the list. Content up to 2000 "
    "characters; at most `GREENMINE_COMPLAINT_RATE_LIMIT` complaints and objections per client "
    "address per window (429 with Retry-After), counted in the database across replicas.",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such listing"),
        409: problem_doc("Not on the list"),
        429: {
            **RATE_LIMITED_RESPONSE[429],
            "description": "Too many from this client, within the minute or the window",
        },
    },
    dependencies=[Depends(rate_limited("complaint_request_rate"))],
)
async def file_complaint(
    data: ComplaintCreate, session: Session, request: Request
) -> ComplaintReceipt:
    settings = request.app.state.settings
    await service.admit(
        session=session,
        address=request.client.host if request.client else "unknown",
        kind="complaint",
        limit=settings.complaint_rate_limit,
        window=timedelta(minutes=settings.complaint_rate_window_minutes),
        now=datetime.now(UTC),
    )
    complaint = await service.file(
        session=session, listing_id=data.listing_id, content=data.content, contact=data.contact
    )
    return ComplaintReceipt(id=complaint.id, status=complaint.status, filed_at=complaint.filed_at)


@router.get(
    "/complaints",
    response_model=Page[ComplaintPublic],
    summary="Complaints 举报列表",
    description="Bureau staff only.",
    responses=PROBLEM_RESPONSES,
)
async def list_complaints(
    session: Session,
    _: Bureau,
    page: Annotated[PageParams, Depends(page_params)],
    status: Literal["received", "substantiated", "unsubstantiated"] | None = None,
) -> Page[ComplaintPublic]:
    rows = await service.list_complaints(
        session=session, limit=page.limit, after=page.after, status=status
    )
    return page_of(
        [ComplaintPublic.model_validate(r, from_attributes=True) for r in rows],
        page,
        lambda c: [c.filed_at.isoformat(), str(c.id)],
    )


@router.post(
    "/complaints/{complaint_id}/decision",
    response_model=ComplaintPublic,
    summary="Verify a complaint 举报核查",
    description="Substantiated: the mine gets a 6-month rectification with benefits suspended "
    "(`greenmine.rectification.ordered`, `greenmine.benefits.suspended`).",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such complaint"),
        409: problem_doc("Already decided"),
    },
)
async def decide(
    complaint_id: UUID, data: ComplaintDecision, session: Session, _: Bureau
) -> ComplaintPublic:
    complaint = await service.get(session=session, complaint_id=complaint_id, for_update=True)
    complaint = await service.decide(
        session=session, complaint=complaint, substantiated=data.substantiated, note=data.note
    )
    return ComplaintPublic.model_validate(complaint, from_attributes=True)
