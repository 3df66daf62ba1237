"""HTTP for plan indicators."""

from fastapi import APIRouter
from servicekit import clock
from servicekit.deps import Officials, Session
from servicekit.errors import problem_doc

from rights_api.indicators import service
from rights_api.indicators.schemas import Indicators

router = APIRouter(tags=["indicators 规划指标"])


@router.get(
    "/indicators",
    summary="Plan indicators 规划指标执行情况",
    responses={404: problem_doc("No plan edition in force")},
)
async def indicators(session: Session, _: Officials) -> Indicators:
    """For the edition in force today: city-licensed small mines vs the cap of 4 (专栏二), live
    mines and licensed output per mineral vs 专栏四 (granite 3 mines, 45万m³/年; sand 1 mine,
    35万m³/年), and new mining rights granted in the period vs the 5 planned (2 sand, 3 granite,
    0.777 km², 第五章第一节). For the region's planning platform (第七章).
    """
    return await service.indicators(session=session, today=clock.local_today())
