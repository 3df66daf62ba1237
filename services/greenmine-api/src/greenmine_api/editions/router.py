"""HTTP for the plan edition's green-mine numbers."""

from fastapi import APIRouter, Response
from servicekit.concurrency import IfMatch, set_etag
from servicekit.deps import Admin, Session
from servicekit.errors import problem_doc

from greenmine_api.editions import service
from greenmine_api.editions.schemas import EditionPublic, EditionUpdate
from greenmine_api.responses import PUBLIC

NO_EDITION = {404: problem_doc("No such plan edition 无此规划版本")}

router = APIRouter(tags=["indicators 规划指标"])


@router.get(
    "/editions/{code}",
    summary="A plan edition's green-mine numbers 规划版本参数",
    responses={**PUBLIC, **NO_EDITION},
)
async def get_edition_route(code: str, session: Session, response: Response) -> EditionPublic:
    """Target, review cycle, rectification period and publicity length. Public."""
    edition = await service.get(session=session, code=code)
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition, from_attributes=True)


@router.patch(
    "/editions/{code}", summary="Set the publicity length 设置公示期", responses={**NO_EDITION}
)
async def update_edition(
    code: str,
    data: EditionUpdate,
    session: Session,
    response: Response,
    _: Admin,
    if_match: IfMatch,
) -> EditionPublic:
    """Working days of publicity (default 5). Send `If-Match` with the ETag read; a stale copy gets
    412. Periods already opened keep their length.
    """
    edition = await service.set_publicity_workdays(
        session=session, code=code, workdays=data.publicity_workdays, if_match=if_match
    )
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition, from_attributes=True)
