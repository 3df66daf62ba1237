"""Plan indicators for the edition in force (第二章第三节, 专栏二, 专栏四, 第五章第一节)."""

from datetime import date, datetime, time
from decimal import Decimal

from servicekit.clock import LOCAL
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.schemas import ApplicationKind, ApplicationStatus
from rights_api.indicators.schemas import CountVsCap, Indicators, NewRightsVsPlan
from rights_api.plan import service as plans
from rights_api.rights import service as rights
from rights_api.rights.models import Right


async def indicators(*, session: AsyncSession, today: date) -> Indicators:
    edition = await plans.edition_in_force(session=session, on=today)
    content = plans.view(edition).content
    live = await rights.live_tallies(session=session)
    small = content.small_mine_cap
    small_count = sum(n for m, level, _, n, _ in live if m in small.minerals and level == "city")
    caps = []
    for cap in content.mine_caps:
        group = [r for r in live if r[0] in cap.minerals]
        mines = sum(r[3] for r in group)
        unit = cap.max_output.unit if cap.max_output else None
        output = sum((Decimal(r[4]) for r in group if r[2] == unit), Decimal(0)) if unit else None
        caps.append(
            CountVsCap(
                name_zh=cap.name_zh,
                minerals=cap.minerals,
                mines=mines,
                max_mines=cap.max_mines,
                output=output,
                max_output=cap.max_output.value if cap.max_output else None,
                unit=unit,
                within=(cap.max_mines is None or mines <= cap.max_mines)
                and (output is None or output <= cap.max_output.value),
                clause=cap.clause,
            )
        )
    start = datetime.combine(edition.period_start, time(), LOCAL)
    end = datetime.combine(edition.period_end, time.max, LOCAL)
    granted = (
        await session.exec(
            select(Right.mineral, func.count(), func.coalesce(func.sum(Right.area_km2), 0))
            .join(Application, Application.right_id == Right.id)
            .where(
                Application.kind == ApplicationKind.new_mining_right.value,
                Application.status == ApplicationStatus.approved.value,
                Application.decided_at.between(start, end),
            )
            .group_by(Right.mineral)
        )
    ).all()
    planned = content.planned_new_rights
    granted_by = {m: n for m, n, _ in granted}
    minerals = sorted({*planned.by_mineral, *granted_by})
    return Indicators(
        edition=edition.code,
        period_start=edition.period_start,
        period_end=edition.period_end,
        as_of=today,
        city_small_mines=CountVsCap(
            name_zh="本市发证普通建筑用砂石矿及小型非金属矿山数量",
            minerals=small.minerals,
            mines=small_count,
            max_mines=small.max_mines,
            within=small_count <= small.max_mines,
            clause=small.clause,
        ),
        mine_caps=caps,
        new_rights=NewRightsVsPlan(
            granted=sum(granted_by.values()),
            planned=planned.count,
            by_mineral={
                m: {"granted": granted_by.get(m, 0), "planned": planned.by_mineral.get(m, 0)}
                for m in minerals
            },
            granted_area_km2=sum((Decimal(a) for _, _, a in granted), Decimal(0)),
            planned_area_km2=planned.area_km2,
            clause=planned.clause,
        ),
        targets=content.targets,
    )
