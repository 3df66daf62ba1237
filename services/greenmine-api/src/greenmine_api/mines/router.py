"""HTTP for the plan indicators 规划指标 (专栏二: green mines 4 by 2025)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from servicekit.errors import problem_doc
from servicekit.unit_of_work import get_session
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.listings.models import Listing, ListingStatus
from greenmine_api.mines.models import Mine
from greenmine_api.mines.service import active_edition

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
