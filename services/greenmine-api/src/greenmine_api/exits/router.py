"""HTTP for leaving the list: removal, voluntary exit, and a rectification's verdict (a failed
one removes the mine)."""

from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Bureau, BureauOrHolder, Session

from greenmine_api.exits import service
from greenmine_api.exits.models import ExitNotice
from greenmine_api.exits.schemas import ExitNoticePublic, Removal, VoluntaryExit
from greenmine_api.publicity.schemas import PublicityRef
from greenmine_api.rectifications.schemas import RectificationDecision
from greenmine_api.responses import NOT_ON_LIST, decision_responses

router = APIRouter(tags=["listings 绿色矿山名录"])


@router.post(
    "/listings/{listing_id}/removal",
    summary="Remove for a violation or major accident 违法违规或重大事故除名",
    responses=NOT_ON_LIST,
)
async def remove(listing_id: UUID, data: Removal, session: Session, _: Bureau) -> ExitNoticePublic:
    """Publishes a numbered exit notice and `greenmine.mine.delisted`."""
    notice = await service.remove(session=session, listing_id=listing_id, **data.model_dump())
    return ExitNoticePublic.model_validate(notice, from_attributes=True)


@router.post(
    "/listings/{listing_id}/exit",
    summary="Leave the list voluntarily 自愿退出",
    responses=NOT_ON_LIST,
)
async def voluntary_exit(
    listing_id: UUID, data: VoluntaryExit, session: Session, caller: BureauOrHolder
) -> ExitNoticePublic:
    """The holder (or the bureau on its behalf); an exit notice is published."""
    notice = await service.remove(
        session=session,
        listing_id=listing_id,
        reason="voluntary_exit",
        detail=data.reason,
        caller=caller,
    )
    return ExitNoticePublic.model_validate(notice, from_attributes=True)


@router.post(
    "/rectifications/{rectification_id}/decision",
    tags=["rectifications 限期整改"],
    summary="Verify a rectification 整改复核",
    responses=decision_responses("rectification"),
)
async def decide_rectification(
    rectification_id: UUID, data: RectificationDecision, session: Session, _: Bureau
) -> PublicityRef | ExitNoticePublic:
    """Passed: a re-listing publicity opens (its reference is returned); when it closes the mine is
    re-listed and its benefits restored. Failed: the mine is removed and the exit notice returned.
    Unverified past its date, the `rectifications_overdue` job removes it.
    """
    outcome = await service.decide_rectification(
        session=session, rectification_id=rectification_id, data=data
    )
    if isinstance(outcome, ExitNotice):
        return ExitNoticePublic.model_validate(outcome, from_attributes=True)
    return PublicityRef(id=outcome.id, ends_on=outcome.ends_on)
