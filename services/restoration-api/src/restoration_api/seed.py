"""Reference data of the 2021-2025 edition: the illustrative accrual rule set, the targets of
专栏二, the program funds of public money and the legacy sites the plan names (第一章第二节四).
Safe to run again: each item is loaded only when missing."""

from servicekit import clock
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.accrual import service as accrual
from restoration_api.accrual.models import RuleSet
from restoration_api.accrual.schemas import ILLUSTRATIVE, RuleSetCreate
from restoration_api.boundaries import BoundaryShape
from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import Fund, FundKind
from restoration_api.legacy import service as legacy
from restoration_api.legacy.models import PlanTarget
from restoration_api.legacy.schemas import TargetsSet
from restoration_api.legacy_sites import service as legacy_sites
from restoration_api.legacy_sites.models import LegacySite
from restoration_api.legacy_sites.schemas import LegacySiteCreate

EDITION = "2021-2025"
TARGETS = {
    "period_from": 2021,
    "period_to": 2025,
    "targets": [
        {
            "indicator": "legacy_restored_km2",
            "value": "0.52",
            "unit": "km2",
            "binding": True,
            "clause": "专栏二; 第二章第三节",
            "name_zh": "历史遗留矿山地质环境治理恢复面积",
        },
        {
            "indicator": "land_reclaimed_ha",
            "value": "46",
            "unit": "ha",
            "binding": True,
            "clause": "专栏二",
            "name_zh": "矿山土地复垦面积",
        },
        {
            "indicator": "restoration_rate_pct",
            "value": "100",
            "unit": "%",
            "binding": False,
            "clause": "专栏二; 第二章第三节",
            "name_zh": "矿山地质环境与土地复垦“应治尽治”率",
        },
    ],
}
PROGRAM_FUNDS = (
    ("自治区地质环境治理专项资金", "region_special_fund"),
    ("二连浩特市财政预算 历史遗留矿山治理", "city_budget"),
)
# 第一章第二节四: restored during the third round with 1712万元 of regional special funds,
# 4.16 km² in all; the plan gives no per-site figures, so none are invented here.
ROUND_THREE = (
    "第三轮规划期间治理; 四处合计自治区专项资金1712万元、治理面积4.16平方千米 (第一章第二节四)"
)
LEGACY_SITES = (
    ("LS-YANCHI", "盐池废弃采区"),
    ("LS-G208-23KM", "208国道23公里处废弃砂场"),
    ("LS-NW-BORROW", "市区西北废弃取土场"),
    ("LS-G208-S309-PITS", "国道208和省道309线两侧可视区范围内的零星废弃采坑"),
)
# Demo boundaries 示意 (boundary_illustrative): the plan names the sites but gives neither
# places nor per-site areas, so each is a nominal ~500 m square (the scattered pits two of them)
# near where its name points, there only so maps and GIS clients show something. Replace them
# with surveyed ones through PUT /legacy-sites/{id}/boundary.
DEMO_CENTRES = {
    "LS-YANCHI": [(112.15, 43.55)],
    "LS-G208-23KM": [(111.95, 43.45)],
    "LS-NW-BORROW": [(111.93, 43.69)],
    "LS-G208-S309-PITS": [(111.97, 43.58), (112.02, 43.60)],
}


def demo_boundary(code: str) -> BoundaryShape:
    half_lat, half_lon = 0.00225, 0.0031  # about 250 m each way at 43.6° N
    polygons = [
        [
            [
                [round(lon + dx * half_lon, 6), round(lat + dy * half_lat, 6)]
                for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1))
            ]
        ]
        for lon, lat in DEMO_CENTRES[code]
    ]
    if len(polygons) == 1:
        return BoundaryShape(type="Polygon", coordinates=polygons[0])
    return BoundaryShape(type="MultiPolygon", coordinates=polygons)


async def seed(session: AsyncSession) -> None:
    now = clock.now()
    if await session.scalar(select(RuleSet.id).where(RuleSet.code == ILLUSTRATIVE["code"])) is None:
        data = RuleSetCreate.model_validate(
            {
                **ILLUSTRATIVE,
                "source": "ILLUSTRATIVE ONLY: shipped so the service runs; load the region's "
                "official coefficients (内蒙古自治区矿山地质环境治理恢复基金管理办法) through "
                "POST /accrual-rule-sets and close this period.",
                "effective_to": "2025-12-31",
            }
        )
        await accrual.load_rule_set(session=session, data=data, now=now)
    if (
        await session.scalar(select(PlanTarget.indicator).where(PlanTarget.edition == EDITION))
        is None
    ):
        await legacy.set_targets(
            session=session, edition=EDITION, data=TargetsSet.model_validate(TARGETS)
        )
    funds = {}
    for name, source in PROGRAM_FUNDS:
        fund = await session.scalar(
            select(Fund).where(Fund.kind == FundKind.program, Fund.source == source)
        )
        funds[source] = fund or await ledger.open_program_fund(
            session=session, name=name, source=source, now=now
        )
    for code, name in LEGACY_SITES:
        if await session.scalar(select(LegacySite.id).where(LegacySite.code == code)) is None:
            await legacy_sites.create_site(
                session=session,
                data=LegacySiteCreate(
                    code=code,
                    name=name,
                    description=ROUND_THREE,
                    edition="2016-2020",
                    fund_id=funds["region_special_fund"].id,
                    plan_clause="第一章第二节四",
                    boundary=demo_boundary(code),
                    boundary_illustrative=True,
                ),
                now=now,
            )
