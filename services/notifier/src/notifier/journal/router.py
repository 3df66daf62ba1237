"""HTTP for the journal (bureau admins: what did the notifier receive, and when)."""

from fastapi import APIRouter
from servicekit.deps import Admin, Paging, Session
from servicekit.pagination import Page

from notifier.journal import service
from notifier.journal.models import ReceivedEventPublic

router = APIRouter(prefix="/admin/received-events", tags=["journal 事件记录"])


@router.get("", summary="Events the notifier received 已接收事件")
async def list_received_events(
    session: Session, _: Admin, page: Paging, type: str | None = None
) -> Page[ReceivedEventPublic]:
    rows = await service.list_received(session=session, page=page, type=type)
    return rows.shaped(ReceivedEventPublic)
