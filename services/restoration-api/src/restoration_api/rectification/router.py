"""HTTP for restoration rectification orders."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.rectification import service
from restoration_api.rectification.schemas import (
    RectificationCreate,
    RectificationPublic,
    RectificationResolve,
)

router = APIRouter(prefix="/rectifications", tags=["rectifications 限期整改"])
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[
    Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system, Role.enterprise))
]
Reviewer = Annotated[Principal, Depends(require(*BUREAU))]
NO_SUCH = {404: problem_doc("No such rectification (or not yours)")}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RectificationPublic,
    summary="Order rectification 责令限期整改",
    description="Publishes `restoration.rectification.ordered` with the deadline; when the date "
    "passes unresolved the `rectification_overdue` job publishes `…overdue`.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such mine")},
)
async def order(
    data: RectificationCreate, session: Session, caller: Reviewer, response: Response
) -> RectificationPublic:
    rect = await service.order(session=session, data=data, caller=caller, now=datetime.now(UTC))
    response.headers["Location"] = f"/rectifications/{rect.id}"
    return RectificationPublic.model_validate(rect, from_attributes=True)


@router.get(
    "",
    response_model=Page[RectificationPublic],
    summary="Rectification orders 整改通知列表",
    description="Orders by mine and status; enterprises see their own.",
    responses=PROBLEM_RESPONSES,
)
async def list_rectifications(
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    right_id: UUID | None = None,
    status: str | None = None,
) -> Page[RectificationPublic]:
    rows = await service.list_rectifications(
        session=session, caller=caller, page=page, right_id=right_id, status=status
    )
    return page_of(
        [RectificationPublic.model_validate(r, from_attributes=True) for r in rows],
        page,
        lambda r: [r.ordered_at.isoformat(), str(r.id)],
    )


@router.get(
    "/{rectification_id}",
    response_model=RectificationPublic,
    summary="A rectification order 整改通知详情",
    description="One order with its deadline and outcome.",
    responses={**PROBLEM_RESPONSES, **NO_SUCH},
)
async def get_rectification(
    rectification_id: UUID, session: Session, caller: Reader
) -> RectificationPublic:
    rect = await service.get(session=session, rectification_id=rectification_id, caller=caller)
    return RectificationPublic.model_validate(rect, from_attributes=True)


@router.post(
    "/{rectification_id}/resolve",
    response_model=RectificationPublic,
    summary="Resolve a rectification 整改完成",
    description="Reviewers confirm the fix; publishes `restoration.rectification.resolved` "
    "with the deadline met. An overdue order can still be resolved.",
    responses={**PROBLEM_RESPONSES, **NO_SUCH, 409: problem_doc("Already resolved")},
)
async def resolve(
    rectification_id: UUID, data: RectificationResolve, session: Session, caller: Reviewer
) -> RectificationPublic:
    rect = await service.get(
        session=session, rectification_id=rectification_id, caller=caller, for_update=True
    )
    rect = await service.resolve(
        session=session, rect=rect, resolution=data.resolution, now=datetime.now(UTC)
    )
    return RectificationPublic.model_validate(rect, from_attributes=True)
