"""HTTP for the list: public reads and CSV, removal, voluntary exit, change requests,
rectification decisions."""

import csv
import io
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, NotFound, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.dates import local_today
from greenmine_api.listings import service
from greenmine_api.listings.models import ChangeRequest, Rectification
from greenmine_api.listings.schemas import (
    ChangeRequestCreate,
    ChangeRequestPublic,
    Decision,
    ExitNoticePublic,
    HistoryPublic,
    ListingDetail,
    ListingPublic,
    PublicityRef,
    RectificationDecision,
    RectificationPublic,
    Removal,
    SpotCheckResult,
    VoluntaryExit,
)
from greenmine_api.responses import PUBLIC
from greenmine_api.spotchecks.service import results_for_listing

router = APIRouter(tags=["listings 绿色矿山名录"])
Session = Annotated[AsyncSession, Depends(get_session)]
Bureau = Annotated[Principal, Depends(require(*BUREAU))]
Holder = Annotated[Principal, Depends(require(*BUREAU, Role.enterprise))]
StatusFilter = Literal["listed", "rectifying", "delisted"]
NOT_FOUND = {404: problem_doc("No such listing")}
CSV_COLUMNS = (
    "id",
    "right_id",
    "mine_name",
    "holder_name",
    "mineral",
    "status",
    "entry_date",
    "next_review_due",
    "benefits_suspended",
    "delisted_on",
)


@router.get(
    "/listings",
    response_model=Page[ListingPublic],
    summary="The green-mine list 绿色矿山名录",
    responses=PUBLIC,
    description="Public. Every mine ever listed, by entry date; filter with "
    "`status=listed|rectifying|delisted`.",
)
async def list_listings(
    session: Session,
    page: Annotated[PageParams, Depends(page_params)],
    status: StatusFilter | None = None,
) -> Page[ListingPublic]:
    rows = await service.list_listings(
        session=session, limit=page.limit, after=page.after, status=status
    )
    return page_of(
        [ListingPublic.model_validate(r, from_attributes=True) for r in rows],
        page,
        lambda item: [item.entry_date.isoformat(), str(item.id)],
    )


@router.get(
    "/listings.csv",
    summary="The list as CSV 名录导出",
    description="Public; UTF-8 with BOM (opens in Excel), one row per listing.",
    response_class=Response,
    responses={**PUBLIC, 200: {"content": {"text/csv": {}}}},
)
async def export_csv(session: Session, status: StatusFilter | None = None) -> Response:
    rows = await service.list_listings(session=session, limit=None, after=None, status=status)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in CSV_COLUMNS])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="green-mines.csv"'},
    )


@router.get(
    "/listings/{listing_id}",
    response_model=ListingDetail,
    summary="One listed mine 名录详情",
    description="Public: with its full history, rectifications, published spot-check results "
    "and, once removed, its exit notice 退出公告.",
    responses={**PUBLIC, **NOT_FOUND},
)
async def get_listing(listing_id: UUID, session: Session) -> ListingDetail:
    listing = await service.get(session, listing_id)
    extra = await service.detail(session, listing)
    return ListingDetail(
        **ListingPublic.model_validate(listing, from_attributes=True).model_dump(),
        history=[HistoryPublic.model_validate(h, from_attributes=True) for h in extra["history"]],
        exit_notice=ExitNoticePublic.model_validate(extra["exit_notice"], from_attributes=True)
        if extra["exit_notice"]
        else None,
        rectifications=[
            RectificationPublic.model_validate(r, from_attributes=True)
            for r in extra["rectifications"]
        ],
        spot_checks=[
            SpotCheckResult.model_validate(r)
            for r in await results_for_listing(session=session, listing_id=listing.id)
        ],
    )


@router.post(
    "/listings/{listing_id}/removal",
    response_model=ExitNoticePublic,
    summary="Remove for a violation or major accident 违法违规或重大事故除名",
    description="Publishes a numbered exit notice and `greenmine.mine.delisted`.",
    responses={**PROBLEM_RESPONSES, **NOT_FOUND, 409: problem_doc("Not on the list")},
)
async def remove(listing_id: UUID, data: Removal, session: Session, _: Bureau) -> ExitNoticePublic:
    listing = await service.get(session, listing_id, for_update=True)
    notice = await service.delist(
        session=session,
        listing=listing,
        reason=data.reason,
        today=local_today(),
        detail=data.detail,
    )
    return ExitNoticePublic.model_validate(notice, from_attributes=True)


@router.post(
    "/listings/{listing_id}/exit",
    response_model=ExitNoticePublic,
    summary="Leave the list voluntarily 自愿退出",
    description="The holder (or the bureau on its behalf); an exit notice is published.",
    responses={**PROBLEM_RESPONSES, **NOT_FOUND, 409: problem_doc("Not on the list")},
)
async def voluntary_exit(
    listing_id: UUID, data: VoluntaryExit, session: Session, caller: Holder
) -> ExitNoticePublic:
    listing = await service.get(session, listing_id, caller=caller, for_update=True)
    notice = await service.delist(
        session=session,
        listing=listing,
        reason="voluntary_exit",
        today=local_today(),
        detail=data.reason,
    )
    return ExitNoticePublic.model_validate(notice, from_attributes=True)


@router.post(
    "/listings/{listing_id}/change-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=ChangeRequestPublic,
    tags=["change requests 信息变更"],
    summary="Request a change of listed information 信息变更申请",
    description="Listed information changes only when the bureau approves. The holder itself "
    "cannot change: the title is not transferable.",
    responses={**PROBLEM_RESPONSES, **NOT_FOUND},
)
async def request_change(
    listing_id: UUID, data: ChangeRequestCreate, session: Session, caller: Holder
) -> ChangeRequestPublic:
    listing = await service.get(session, listing_id, caller=caller)
    request = await service.request_change(
        session=session,
        listing=listing,
        changes=data.changes.model_dump(exclude_unset=True),
        reason=data.reason,
    )
    return ChangeRequestPublic.model_validate(request, from_attributes=True)


@router.get(
    "/change-requests",
    response_model=list[ChangeRequestPublic],
    tags=["change requests 信息变更"],
    summary="Change requests 信息变更申请列表",
    description="The bureau sees all; an enterprise its own.",
    responses=PROBLEM_RESPONSES,
)
async def list_changes(session: Session, caller: Holder) -> list[ChangeRequestPublic]:
    query = select(ChangeRequest).order_by(ChangeRequest.filed_at).limit(500)
    if caller.own_holder is not None:
        query = query.where(ChangeRequest.holder_id == UUID(caller.own_holder))
    return [
        ChangeRequestPublic.model_validate(r, from_attributes=True)
        for r in (await session.exec(query)).all()
    ]


@router.post(
    "/change-requests/{request_id}/decision",
    response_model=ChangeRequestPublic,
    tags=["change requests 信息变更"],
    summary="Approve or reject a change 信息变更审批",
    description="Approved changes apply to the listing and enter its history.",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such change request"),
        409: problem_doc("Already decided"),
    },
)
async def decide_change(
    request_id: UUID, data: Decision, session: Session, _: Bureau
) -> ChangeRequestPublic:
    request = await session.get(ChangeRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"No change request {request_id}.")
    request = await service.decide_change(
        session=session,
        request=request,
        approve=data.approve,
        note_text=data.note,
        today=local_today(),
    )
    return ChangeRequestPublic.model_validate(request, from_attributes=True)


@router.get(
    "/rectifications",
    response_model=list[RectificationPublic],
    tags=["rectifications 限期整改"],
    summary="Rectifications 限期整改列表",
    description="The bureau sees all; an enterprise its own.",
    responses=PROBLEM_RESPONSES,
)
async def list_rectifications(
    session: Session, caller: Holder, status: str | None = None
) -> list[RectificationPublic]:
    query = select(Rectification).order_by(Rectification.ordered_on, Rectification.id).limit(500)
    if caller.own_holder is not None:
        query = query.where(Rectification.holder_id == UUID(caller.own_holder))
    if status:
        query = query.where(Rectification.status == status)
    return [
        RectificationPublic.model_validate(r, from_attributes=True)
        for r in (await session.exec(query)).all()
    ]


@router.post(
    "/rectifications/{rectification_id}/decision",
    response_model=PublicityRef | ExitNoticePublic,
    tags=["rectifications 限期整改"],
    summary="Verify a rectification 整改复核",
    description="Passed: a re-listing publicity opens (its reference is returned); when it "
    "closes the mine is re-listed and its benefits restored. Failed: the mine is removed and the "
    "exit notice returned. Unverified past its date, the `rectifications_overdue` job removes it.",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such rectification"),
        409: problem_doc("Already decided"),
    },
)
async def decide_rectification(
    rectification_id: UUID, data: RectificationDecision, session: Session, _: Bureau
) -> PublicityRef | ExitNoticePublic:
    rect = await service.get_rectification(session, rectification_id)
    pub = await service.decide_rectification(
        session=session,
        rect=rect,
        passed=data.passed,
        note_text=data.note,
        today=local_today(),
        publicity_starts_on=data.publicity_starts_on,
    )
    if pub is not None:
        return PublicityRef(id=pub.id, ends_on=pub.ends_on)
    notice = await service.exit_notice(session, rect.listing_id)
    return ExitNoticePublic.model_validate(notice, from_attributes=True)
