"""Public disclosure of each mine's fund and plan execution per year (第六章第二节二: 基金提取、
使用及方案执行情况列入矿业权人勘查开采信息公示系统)."""

from collections import defaultdict
from decimal import Decimal
from uuid import UUID

from mining_rights import MiningRight
from mining_rights import service as mining_rights
from servicekit.csv_export import csv_text
from sqlalchemy import extract, func
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.acceptances import service as acceptances
from restoration_api.disclosure.schemas import Disclosure, DisclosureYear
from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import Transfer
from restoration_api.money import yuan
from restoration_api.plans.service import current_plan
from restoration_api.works import service as works

LOCAL = "Asia/Shanghai"
MONEY_KINDS = {
    "accrual": "accrued",
    "deposit": "deposited",
    "legacy_deposit": "deposited",
    "expenditure": "spent",
    "refund": "refunded",
}


async def _money_by_year(session: AsyncSession, fund_id: UUID) -> dict[int, dict[str, int]]:
    year = extract("year", func.timezone(LOCAL, Transfer.posted_at)).label("year")
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = await session.exec(
        select(year, Transfer.kind, func.sum(Transfer.amount_fen))
        .where(Transfer.fund_id == fund_id, Transfer.kind != "reversal")
        .group_by(year, Transfer.kind)
    )
    for y, kind, amount in rows.all():
        totals[int(y)][MONEY_KINDS[kind]] += int(amount)
    original = aliased(Transfer)
    rows = await session.exec(  # a reversal takes its amount off in the year it is posted
        select(year, original.kind, func.sum(Transfer.amount_fen))
        .join(original, original.id == Transfer.reverses_id)
        .where(Transfer.fund_id == fund_id)
        .group_by(year, original.kind)
    )
    for y, kind, amount in rows.all():
        totals[int(y)][MONEY_KINDS[kind]] -= int(amount)
    return totals


async def disclosure(*, session: AsyncSession, right_id: UUID) -> Disclosure:
    mine = await mining_rights.get(session=session, right_id=right_id)
    fund = await ledger.fund_for_right(session=session, right_id=right_id)
    money = await _money_by_year(session, fund.id) if fund else {}
    plan = await current_plan(session, right_id)
    schedule = {s["year"]: s for s in (plan.schedule if plan else [])}
    worked = await works.area_by_year(session, right_id)
    accepted = await acceptances.area_by_year(session, right_id)
    years = sorted(set(money) | set(schedule) | set(worked) | set(accepted))
    return Disclosure(
        right_id=mine.right_id,
        licence_no=mine.licence_no,
        mine_name=mine.mine_name,
        holder_name=mine.holder_name,
        fund_status=fund.status if fund else None,
        years=[
            DisclosureYear(
                year=y,
                accrued=yuan(money.get(y, {}).get("accrued", 0)),
                deposited=yuan(money.get(y, {}).get("deposited", 0)),
                spent=yuan(money.get(y, {}).get("spent", 0)),
                refunded=yuan(money.get(y, {}).get("refunded", 0)),
                plan_cost=yuan(schedule.get(y, {}).get("cost_fen", 0)),
                plan_area_ha=Decimal(schedule.get(y, {}).get("area_ha", 0)),
                works_area_ha=worked.get(y, Decimal(0)),
                accepted_area_ha=accepted.get(y, Decimal(0)),
            )
            for y in years
        ],
    )


COLUMNS = (
    "licence_no", "mine_name", "holder_name", "year", "accrued", "deposited", "spent",
    "refunded", "plan_cost", "plan_area_ha", "works_area_ha", "accepted_area_ha",
)  # fmt: skip


async def export_csv(*, session: AsyncSession, year: int) -> str:
    """One row per mine for ``year`` (servicekit's CSV writer: BOM, formula-like text quoted)."""
    right_ids = (
        await session.exec(
            select(MiningRight.right_id)
            .where(MiningRight.kind == "mining")
            .order_by(MiningRight.licence_no)
        )
    ).all()
    rows = []
    for right_id in right_ids:
        d = await disclosure(session=session, right_id=right_id)
        row = next((y for y in d.years if y.year == year), DisclosureYear(
            year=year, accrued="0.00", deposited="0.00", spent="0.00", refunded="0.00",
            plan_cost="0.00", plan_area_ha=Decimal(0), works_area_ha=Decimal(0),
            accepted_area_ha=Decimal(0),
        ))  # fmt: skip
        amounts = [getattr(row, c) for c in COLUMNS[3:]]
        # the money fields are strings in the schema: written as the numbers they are
        rows.append(
            [d.licence_no, d.mine_name, d.holder_name]
            + [Decimal(v) if isinstance(v, str) else v for v in amounts]
        )
    return csv_text(COLUMNS, rows)
