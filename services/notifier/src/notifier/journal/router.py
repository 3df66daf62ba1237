"""HTTP for the journal (bureau admins: what did the notifier receive, and when)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from servicekit.auth import Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.journal import service
from notifier.journal.models import ReceivedEventPublic

router = APIRouter(prefix="/admin/received-events", tags=["journal 事件记录"])


@router.get(
    "",
    response_model=Page[ReceivedEventPublic],
    responses=PROBLEM_RESPONSES,
    summary="Events the notifier received 已接收事件",
)
async def list_received_events(
    session: Annotated[AsyncSession, Depends(get_session)],
    _: Annotated[Principal, Depends(require(Role.bureau_admin))],
    page: Annotated[PageParams, Depends(page_params)],
    type: str | None = None,
) -> Page[ReceivedEventPublic]:
    rows = await service.list_received(session=session, page=page, type=type)
    return page_of([ReceivedEventPublic.model_validate(r) for r in rows], page, lambda r: [r.id])
