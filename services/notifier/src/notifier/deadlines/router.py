"""HTTP for deadlines (read-only: they are learned from events)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from servicekit.auth import Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, NotFound, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.deadlines import service
from notifier.deadlines.models import Deadline, DeadlineState
from notifier.deadlines.schemas import DeadlinePublic

router = APIRouter(prefix="/deadlines", tags=["deadlines 期限"])
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, Depends(require(*Role))]


@router.get(
    "",
    response_model=Page[DeadlinePublic],
    summary="List deadlines 期限列表",
    description="Deadlines the notifier learned from the other services' events, by due date. "
    "Filter by subject (the mining right id), kind, audience, state and due window. "
    "Enterprises see only their holder's deadlines, evaluators their organisation's.",
    responses=PROBLEM_RESPONSES,
)
async def list_deadlines(
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    subject: str | None = None,
    kind: str | None = None,
    state: DeadlineState | None = None,
    holder_id: str | None = None,
    role: str | None = None,
    org_id: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> Page[DeadlinePublic]:
    if caller.own_holder is not None:
        caller.ensure_holder(holder_id or caller.own_holder)
        holder_id = caller.own_holder
    if caller.own_org is not None:
        caller.ensure_org(org_id or caller.own_org)
        org_id = caller.own_org
    rows = await service.list_deadlines(
        session=session,
        page=page,
        subject=subject,
        kind=kind,
        state=state,
        holder_id=holder_id,
        role=role,
        org_id=org_id,
        due_from=due_from,
        due_to=due_to,
    )
    return page_of(
        [DeadlinePublic.model_validate(r) for r in rows],
        page,
        lambda d: [d.due_at.isoformat(), d.id],
    )


@router.get(
    "/{deadline_id}",
    response_model=DeadlinePublic,
    summary="A deadline 期限详情",
    description="One deadline with its state, next step and when that step is due. "
    "Another holder's or organisation's deadline is 404 for enterprises and evaluators.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such deadline")},
)
async def get_deadline(deadline_id: str, session: Session, caller: Reader) -> DeadlinePublic:
    deadline = await session.get(Deadline, deadline_id)
    if (
        deadline is None
        or (caller.own_holder is not None and deadline.holder_id != caller.own_holder)
        or (caller.own_org is not None and deadline.org_id != caller.own_org)
    ):
        raise NotFound(f"No deadline {deadline_id}.")
    return DeadlinePublic.model_validate(deadline)
