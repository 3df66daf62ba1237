"""HTTP for the plan indicators 规划指标 (专栏二: green mines 4 by 2025)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from servicekit.auth import Principal, Role, require
from servicekit.concurrency import IfMatch, require_if_match, set_etag
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.unit_of_work import get_session
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.listings.models import Listing, ListingStatus
from greenmine_api.mines.models import Mine
from greenmine_api.mines.service import active_edition, get_edition
from greenmine_api.responses import PUBLIC

NO_EDITION = {404: problem_doc("No such plan edition 无此规划版本")}

router = APIRouter(tags=["indicators 规划指标"])
Session = Annotated[AsyncSession, Depends(get_session)]


class ObligedMine(BaseModel):
    right_id: UUID
    mine_name: str
    holder_id: UUID
    holder_name: str | None


class Indicators(BaseModel):
    edition: str = Field(examples=["2021-2025"])
    period_end: date
    listed_count: int = Field(
        description="Mines on the list (listed or rectifying) 名录内绿色矿山数"
    )
    rectifying_count: int
    target: int = Field(description="The edition's target 规划目标", examples=[4])
    gap: int = Field(description="How many more are needed to reach the target")
    obliged_count: int = Field(description="New mines not yet on the list 尚未达标的新建矿山")
    obliged: list[ObligedMine]


@router.get(
    "/indicators",
    response_model=Indicators,
    summary="Green-mine indicators 绿色矿山规划指标",
    description="Listed green mines against the active edition's target (4 for 2021–2025, "
    "专栏二), and the new mines still obliged to reach the standard by the end of the period "
    "(新建矿山按绿色矿山标准建设). Public.",
    responses={409: problem_doc("No plan edition loaded 未加载规划版本")},
)
async def indicators(session: Session) -> Indicators:
    edition = await active_edition(session)
    counts = dict(
        (
            await session.exec(
                select(Listing.status, func.count())
                .where(Listing.status != ListingStatus.delisted)
                .group_by(Listing.status)
            )
        ).all()
    )
    on_list = select(Listing.right_id).where(Listing.status != ListingStatus.delisted)
    obliged = (
        await session.exec(
            select(Mine)
            .where(Mine.obliged, Mine.closed_at.is_(None), Mine.right_id.not_in(on_list))
            .order_by(Mine.mine_name)
        )
    ).all()
    listed = sum(counts.values())
    return Indicators(
        edition=edition.code,
        period_end=edition.period_end,
        listed_count=listed,
        rectifying_count=counts.get(ListingStatus.rectifying, 0),
        target=edition.green_mine_target,
        gap=max(0, edition.green_mine_target - listed),
        obliged_count=len(obliged),
        obliged=[ObligedMine.model_validate(m, from_attributes=True) for m in obliged],
    )


class EditionPublic(BaseModel):
    code: str = Field(examples=["2021-2025"])
    title: str = Field(examples=["二连浩特市矿产资源总体规划（2021—2025年）"])
    period_start: date
    period_end: date
    green_mine_target: int = Field(examples=[4])
    review_interval_years: int = Field(examples=[3])
    review_application_lead_months: int = Field(examples=[6])
    rectification_months: int = Field(examples=[6])
    publicity_workdays: int = Field(examples=[5])
    source: str
    active: bool
    version: int


class EditionUpdate(BaseModel):
    """The bureau's own configuration; the plan's numbers change with a new edition."""

    publicity_workdays: int = Field(ge=1, le=30, examples=[7])


@router.get(
    "/editions/{code}",
    response_model=EditionPublic,
    summary="A plan edition's green-mine numbers 规划版本参数",
    description="Target, review cycle, rectification period and publicity length. Public.",
    responses={**PUBLIC, **NO_EDITION},
)
async def get_edition_route(code: str, session: Session, response: Response) -> EditionPublic:
    edition = await get_edition(session, code)
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition, from_attributes=True)


@router.patch(
    "/editions/{code}",
    response_model=EditionPublic,
    summary="Set the publicity length 设置公示期",
    description="Working days of publicity (default 5). Send `If-Match` with the ETag read; "
    "a stale copy gets 412. Periods already opened keep their length.",
    responses={**PROBLEM_RESPONSES, **NO_EDITION},
)
async def update_edition(
    code: str,
    data: EditionUpdate,
    session: Session,
    response: Response,
    _: Annotated[Principal, Depends(require(Role.bureau_admin))],
    if_match: IfMatch = None,
) -> EditionPublic:
    edition = await get_edition(session, code, for_update=True)
    require_if_match(if_match, edition.version)
    edition.publicity_workdays = data.publicity_workdays
    edition.version += 1
    session.add(edition)
    await session.flush()
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition, from_attributes=True)
