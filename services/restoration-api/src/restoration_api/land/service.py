"""The land balance 动态平衡: land each mine occupied and restored per year, and the
restoration rate 应治尽治率."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from mining_rights import MiningRight
from servicekit.auth import Principal
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.land.models import LandBalance
from restoration_api.land.schemas import LandBalancePublic, LandBalanceSet, LandBalanceYear
from restoration_api.rights import acted_on


async def set_land_balance(
    *,
    session: AsyncSession,
    right_id: UUID,
    year: int,
    data: LandBalanceSet,
    caller: Principal,
    now: datetime,
) -> LandBalancePublic:
    """Reports the year's land of a mine (again: replaces it); answers the mine's row."""
    await acted_on(session=session, right_id=right_id, caller=caller)
    row = await session.get(LandBalance, (right_id, year)) or LandBalance(
        right_id=right_id, year=year
    )
    row.occupied_ha, row.restored_ha = data.occupied_ha, data.restored_ha
    row.updated_at = now
    session.add(row)
    await session.flush()
    [item] = [
        i
        for i in (await land_balance_year(session=session, year=year, caller=caller)).mines
        if i.right_id == row.right_id
    ]
    return item


def rate(restored: Decimal, occupied: Decimal) -> Decimal | None:
    if occupied == 0:
        return None
    return (Decimal(restored) * 100 / Decimal(occupied)).quantize(Decimal("0.01"))


async def land_balance_year(
    *, session: AsyncSession, year: int, caller: Principal
) -> LandBalanceYear:
    query = (
        select(LandBalance, MiningRight.mine_name)
        .join(MiningRight)
        .where(LandBalance.year == year)
        .order_by(MiningRight.mine_name)
    )
    if caller.own_holder is not None:
        query = query.where(MiningRight.holder_id == caller.own_holder)
    rows = (await session.exec(query)).all()
    items = [
        LandBalancePublic(
            right_id=lb.right_id,
            mine_name=name,
            year=lb.year,
            occupied_ha=lb.occupied_ha,
            restored_ha=lb.restored_ha,
            balanced=lb.restored_ha >= lb.occupied_ha,
            restoration_rate=rate(lb.restored_ha, lb.occupied_ha),
        )
        for lb, name in rows
    ]
    occupied = sum((i.occupied_ha for i in items), Decimal(0))
    restored = sum((i.restored_ha for i in items), Decimal(0))
    return LandBalanceYear(
        year=year,
        mines=items,
        occupied_ha=occupied,
        restored_ha=restored,
        restoration_rate=rate(restored, occupied),
    )


async def balances(
    session: AsyncSession, year_from: int, year_to: int
) -> list[tuple[LandBalance, str]]:
    """Every mine's land balance of the years ``year_from``..``year_to``, with the mine's name
    (for the indicators: the records behind the restoration rate)."""
    rows = await session.exec(
        select(LandBalance, MiningRight.mine_name)
        .join(MiningRight)
        .where(LandBalance.year.between(year_from, year_to))
        .order_by(LandBalance.year, MiningRight.mine_name)
    )
    return [tuple(row) for row in rows.all()]
