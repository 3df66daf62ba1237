"""HTTP for change requests 信息变更."""

from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Bureau, BureauOrHolder, Paging, Session
from servicekit.pagination import Page

from greenmine_api.change_requests import service
from greenmine_api.change_requests.schemas import ChangeRequestCreate, ChangeRequestPublic, Decision
from greenmine_api.responses import NO_SUCH_LISTING, decision_responses

router = APIRouter(tags=["change requests 信息变更"])


@router.post(
    "/listings/{listing_id}/change-requests",
    status_code=201,
    summary="Request a change of listed information 信息变更申请",
    responses=NO_SUCH_LISTING,
)
async def request_change(
    listing_id: UUID, data: ChangeRequestCreate, session: Session, caller: BureauOrHolder
) -> ChangeRequestPublic:
    """Listed information changes only when the bureau approves. The holder itself cannot change:
    the title is not transferable.
    """
    request = await service.request_change(
        session=session, listing_id=listing_id, caller=caller, data=data
    )
    return ChangeRequestPublic.model_validate(request, from_attributes=True)


@router.get("/change-requests", summary="Change requests 信息变更申请列表")
async def list_changes(
    session: Session, caller: BureauOrHolder, page: Paging
) -> Page[ChangeRequestPublic]:
    """The bureau sees all; an enterprise its own."""
    rows = await service.list_requests(session=session, caller=caller, page=page)
    return rows.shaped(ChangeRequestPublic)


@router.post(
    "/change-requests/{request_id}/decision",
    summary="Approve or reject a change 信息变更审批",
    responses=decision_responses("change request"),
)
async def decide_change(
    request_id: UUID, data: Decision, session: Session, _: Bureau
) -> ChangeRequestPublic:
    """Approved changes apply to the listing and enter its history."""
    request = await service.decide(session=session, request_id=request_id, data=data)
    return ChangeRequestPublic.model_validate(request, from_attributes=True)
