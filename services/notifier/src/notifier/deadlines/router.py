"""HTTP for deadlines (read-only: they are learned from events)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from servicekit.deps import Anyone, Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from notifier.deadlines import service
from notifier.deadlines.schemas import DeadlineFilter, DeadlinePublic

router = APIRouter(prefix="/deadlines", tags=["deadlines 期限"])
NO_DEADLINE = {404: problem_doc("No such deadline")}


@router.get("", summary="List deadlines 期限列表")
async def list_deadlines(
    session: Session, caller: Anyone, page: Paging, filters: Annotated[DeadlineFilter, Query()]
) -> Page[DeadlinePublic]:
    """Deadlines the notifier learned from the other services' events, by due date. Filter by
    subject (the mining right id), kind, audience, state and due window. Enterprises see only
    their holder's deadlines, evaluators their organisation's.
    """
    rows = await service.list_deadlines(session=session, caller=caller, page=page, filters=filters)
    return rows.shaped(DeadlinePublic)


@router.get("/{deadline_id}", summary="A deadline 期限详情", responses=NO_DEADLINE)
async def get_deadline(
    deadline_id: Annotated[
        str, Path(max_length=200, description="The event's deadline id 期限标识")
    ],
    session: Session,
    caller: Anyone,
) -> DeadlinePublic:
    """One deadline with its state, next step and when that step is due. Another holder's or
    organisation's deadline is 404 for enterprises and evaluators.
    """
    deadline = await service.get(session=session, deadline_id=deadline_id, caller=caller)
    return DeadlinePublic.model_validate(deadline)
