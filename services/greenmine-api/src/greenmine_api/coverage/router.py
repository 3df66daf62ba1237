"""HTTP for the green-mine coverage of the producing mines: authorize, call, shape."""

from fastapi import APIRouter
from servicekit import clock
from servicekit.deps import Officials, Session
from servicekit.errors import problem_doc

from greenmine_api.coverage import service
from greenmine_api.coverage.schemas import Coverage

router = APIRouter()


@router.get(
    "/green-mine-coverage",
    tags=["indicators 规划指标"],
    summary="Producing mines on the green-mine path 生产矿山绿色矿山达标情况",
    responses={409: problem_doc("No plan edition loaded 未加载规划版本")},
)
async def green_mine_coverage(session: Session, _: Officials) -> Coverage:
    """The plan's indicator: the share of producing mines (生产矿山, every mining right
    `producing` in the rights read model, whether or not it applied) on the green-mine list,
    against 100 % by the end of the edition (2025-12-31 for 2021–2025: 第二章第三节
    "生产矿山进行改造升级，2025年底达不到绿色矿山建设标准依法依规提出矿业市场" (the plan's 提出:
    退出, leave the market), 专栏二, 第六章第一节).
    Each mine is `listed` (listed or rectifying), `applying` (an entry application under way) or
    `owes_standard`, with its due date and `overdue` once that has passed unlisted. With the
    reference data (专栏一's two producing mines, the oilfield listed since 2021-03-28):
    `producing` 2, `listed` 1, `share` 0.5. `target_count` is 专栏二's 绿色矿山数量 (4).

    Bureau staff, inspectors and government systems: it names the mines that owe the standard
    before the bureau has decided their exit; the public has `/indicators` and `/listings`.
    """
    return await service.coverage(session=session, today=clock.local_today())
