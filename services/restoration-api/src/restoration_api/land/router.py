"""HTTP for the land balance."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from servicekit import clock
from servicekit.deps import BureauOrHolder, Reader, Session
from servicekit.errors import problem_doc

from restoration_api.land import service
from restoration_api.land.schemas import LandBalancePublic, LandBalanceSet, LandBalanceYear

router = APIRouter(tags=["works 治理工程与验收"])
Year = Annotated[int, Path(ge=2000, le=2100, examples=[2026])]


@router.put(
    "/land-balance/{right_id}/{year}",
    summary="Report land occupied and restored 土地占用与治理面积",
    responses={404: problem_doc("No such mine (or not yours)")},
)
async def set_land_balance(
    right_id: UUID, year: Year, data: LandBalanceSet, session: Session, caller: BureauOrHolder
) -> LandBalancePublic:
    """One row per mine and year; reporting again replaces it."""
    return await service.set_land_balance(
        session=session, right_id=right_id, year=year, data=data, caller=caller, now=clock.now()
    )


@router.get(
    "/land-balance/{year}", summary="Dynamic balance and restoration rate 动态平衡与应治尽治率"
)
async def land_balance(year: Year, session: Session, caller: Reader) -> LandBalanceYear:
    """Per mine and in total: land occupied vs restored in the year, and the restoration rate
    应治尽治率 (target 100 %, 专栏二).
    """
    return await service.land_balance_year(session=session, year=year, caller=caller)
