"""HTTP for closing a publicity."""

from uuid import UUID

from fastapi import APIRouter
from servicekit import clock
from servicekit.deps import Bureau, Session
from servicekit.errors import problem_doc

from greenmine_api.publicity.schemas import PublicityPublic
from greenmine_api.publicity_outcomes import service
from greenmine_api.responses import NO_SUCH_PUBLICITY

router = APIRouter(tags=["publicity 公示"])


@router.post(
    "/publicities/{publicity_id}/close",
    summary="Close a publicity 公示期满",
    responses={**NO_SUCH_PUBLICITY, 409: problem_doc("Still running, or objections undecided")},
)
async def close(publicity_id: UUID, session: Session, _: Bureau) -> PublicityPublic:
    """After its last day, with every objection decided. Passed: an entry is listed
    (`greenmine.mine.listed`, `greenmine.review.due`), a review confirmed, a rectified mine
    re-listed with its benefits restored. The `close_publicities` job does the same hourly.
    """
    pub = await service.close_publicity(
        session=session, publicity_id=publicity_id, today=clock.local_today()
    )
    return PublicityPublic.model_validate(pub, from_attributes=True)
