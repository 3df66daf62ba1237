"""HTTP for publicity periods and objections to them."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from servicekit.auth import BUREAU, Principal, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.rate_limit import RATE_LIMITED_RESPONSE, rate_limited
from servicekit.unit_of_work import get_session
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.complaints.service import admit
from greenmine_api.dates import local_today
from greenmine_api.listings import service as listings
from greenmine_api.publicity import service
from greenmine_api.publicity.models import Publicity
from greenmine_api.publicity.schemas import (
    ObjectionCreate,
    ObjectionDecision,
    ObjectionPublic,
    ObjectionReceipt,
    PublicityPublic,
)
from greenmine_api.responses import PUBLIC

router = APIRouter(tags=["publicity 公示"])
Session = Annotated[AsyncSession, Depends(get_session)]
Bureau = Annotated[Principal, Depends(require(*BUREAU))]
NOT_FOUND = {404: problem_doc("No such publicity")}


@router.get(
    "/publicities",
    response_model=list[PublicityPublic],
    summary="Publicity periods 公示列表",
    description="Public. `status=open` lists the mines in publicity now.",
    responses=PUBLIC,
)
async def list_publicities(
    session: Session, status: Literal["open", "passed", "failed"] | None = None
) -> list[PublicityPublic]:
    query = select(Publicity).order_by(Publicity.starts_on.desc(), Publicity.id).limit(200)
    if status:
        query = query.where(Publicity.status == status)
    return [
        PublicityPublic.model_validate(p, from_attributes=True)
        for p in (await session.exec(query)).all()
    ]


@router.get(
    "/publicities/{publicity_id}",
    response_model=PublicityPublic,
    summary="One publicity 公示详情",
    description="Public.",
    responses={**PUBLIC, **NOT_FOUND},
)
async def get_publicity(publicity_id: UUID, session: Session) -> PublicityPublic:
    return PublicityPublic.model_validate(
        await service.get(session, publicity_id), from_attributes=True
    )


@router.post(
    "/publicities/{publicity_id}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionReceipt,
    summary="Object during publicity 公示异议",
    description="Anyone, without an account, from the first to the last day of the period. "
    "Size-limited; rate-limited per client address together with complaints (429).",
    responses={
        **PROBLEM_RESPONSES,
        **NOT_FOUND,
        409: problem_doc("Not in the period"),
        429: {
            **RATE_LIMITED_RESPONSE[429],
            "description": "Too many from this client, within the minute or the window",
        },
    },
    dependencies=[Depends(rate_limited("complaint_request_rate"))],
)
async def object_to(
    publicity_id: UUID, data: ObjectionCreate, session: Session, request: Request
) -> ObjectionReceipt:
    settings = request.app.state.settings
    await admit(
        session=session,
        address=request.client.host if request.client else "unknown",
        kind="objection",
        limit=settings.complaint_rate_limit,
        window=timedelta(minutes=settings.complaint_rate_window_minutes),
        now=datetime.now(UTC),
    )
    pub = await service.get(session, publicity_id)
    objection = await service.object_to(
        session=session, pub=pub, content=data.content, contact=data.contact, today=local_today()
    )
    return ObjectionReceipt(id=objection.id, status=objection.status)


@router.get(
    "/publicities/{publicity_id}/objections",
    response_model=list[ObjectionPublic],
    summary="Objections to a publicity 公示异议列表",
    description="Bureau staff only (objectors' contacts are not public).",
    responses={**PROBLEM_RESPONSES, **NOT_FOUND},
)
async def list_objections(publicity_id: UUID, session: Session, _: Bureau) -> list[ObjectionPublic]:
    await service.get(session, publicity_id)
    return [
        ObjectionPublic.model_validate(o, from_attributes=True)
        for o in await service.objections(session, publicity_id)
    ]


@router.post(
    "/objections/{objection_id}/decision",
    response_model=ObjectionPublic,
    summary="Decide an objection 异议处理",
    description="Upheld: the publicity fails when it closes. Dismissed: no effect.",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such objection"),
        409: problem_doc("Already decided"),
    },
)
async def decide_objection(
    objection_id: UUID, data: ObjectionDecision, session: Session, _: Bureau
) -> ObjectionPublic:
    objection = await service.decide_objection(
        session=session, objection_id=objection_id, upheld=data.upheld, note=data.note
    )
    return ObjectionPublic.model_validate(objection, from_attributes=True)


@router.post(
    "/publicities/{publicity_id}/close",
    response_model=PublicityPublic,
    summary="Close a publicity 公示期满",
    description="After its last day, with every objection decided. Passed: an entry is listed "
    "(`greenmine.mine.listed`, `greenmine.review.due`), a review confirmed, a rectified mine "
    "re-listed with its benefits restored. The `close_publicities` job does the same hourly.",
    responses={
        **PROBLEM_RESPONSES,
        **NOT_FOUND,
        409: problem_doc("Still running, or objections undecided"),
    },
)
async def close(publicity_id: UUID, session: Session, _: Bureau) -> PublicityPublic:
    pub = await listings.close_publicity(
        session=session, publicity_id=publicity_id, today=local_today()
    )
    return PublicityPublic.model_validate(pub, from_attributes=True)
