"""Accrual 提取 from data: the rule set in effect, applied to the previous year's output, and
never less than what the mine's restoration plan needs by then (第五章第二节: 足额提取;
第六章第二节二: 足额缴纳).
A requirement the deposits then do not cover is a shortfall (``ledger.shortfalls``)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from mining_rights import MiningRight
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.accrual.models import Accrual, RuleSet
from restoration_api.accrual.schemas import AccrualCreate, AccrualPublic, RuleSetCreate
from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import Fund, FundKind, FundStatus, TransferKind
from restoration_api.ledger.schemas import TransferCreate
from restoration_api.ledger.shortfalls import check_shortfall
from restoration_api.money import yuan
from restoration_api.plans.service import plan_need_fen
from restoration_api.transfers.service import post_transfer

# an accrual's figures, kept in fen (``<name>_fen``) and answered in yuan
IN_FEN = ("rule_amount", "plan_need", "required_before", "posted")


def _bad(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=field, message=message)])


async def load_rule_set(*, session: AsyncSession, data: RuleSetCreate, now: datetime) -> RuleSet:
    if await session.scalar(select(RuleSet.id).where(RuleSet.code == data.code)):
        raise Conflict(f"A rule set with code {data.code} is already loaded.")
    far = date(9999, 12, 31)
    overlap = await session.scalar(
        select(RuleSet.code).where(
            RuleSet.effective_from <= (data.effective_to or far),
            or_(RuleSet.effective_to.is_(None), RuleSet.effective_to >= data.effective_from),
        )
    )
    if overlap is not None:
        raise Conflict(
            f"Rule set {overlap} is in effect during part of this period; close it first "
            "(one rule set per effective period)."
        )
    tables = {
        name: {str(k): str(v) for k, v in getattr(data, name).items()}
        for name in ("base_rates", "method_factors", "land_type_factors", "region_factors")
    }
    rule_set = RuleSet(
        **data.model_dump(include={"code", "name", "effective_from", "effective_to", "source"}),
        illustrative=data.illustrative,
        **tables,
        created_at=now,
    )
    session.add(rule_set)
    await session.flush()
    return rule_set


async def rule_set_on(session: AsyncSession, day: date) -> RuleSet | None:
    return await session.scalar(
        select(RuleSet).where(
            RuleSet.effective_from <= day,
            or_(RuleSet.effective_to.is_(None), RuleSet.effective_to >= day),
        )
    )


def _factor(table: dict[str, str], key: str | None, field: str, what: str) -> Decimal:
    if key is None or key not in table:
        raise _bad(field, f"the rule set has no {what} for {key!r}; it has {sorted(table)}")
    return Decimal(table[key])


async def _figures(
    session: AsyncSession, fund: Fund, rules: RuleSet, data: AccrualCreate
) -> dict[str, int]:
    """The accrual's figures (``IN_FEN``, as its ``<name>_fen`` columns): the rule set's amount,
    what the plan needs by the year, the requirement before, and what is posted to raise the
    requirement to the larger of both."""
    mine = await session.get(MiningRight, fund.right_id)
    factors = {
        # the mine's mineral and method come from rights-api's register, not from the request
        "base_rate": _factor(rules.base_rates, mine.mineral, "right.mineral", "base rate"),
        "method": _factor(rules.method_factors, mine.method, "right.method", "method factor"),
        "land_type": _factor(rules.land_type_factors, data.land_type, "body.land_type", "factor"),
        "region": _factor(rules.region_factors, data.region, "body.region", "factor"),
    }
    amount = data.output
    for value in factors.values():
        amount *= value
    rule_fen = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    need_fen = await plan_need_fen(session, mine.right_id, data.year)
    before_fen = (await ledger.balances_fen(session, fund.id)).get("obligation", 0)
    return {
        "rule_amount_fen": rule_fen,
        "plan_need_fen": need_fen,
        "required_before_fen": before_fen,
        "posted_fen": max(before_fen + rule_fen, need_fen) - before_fen,
    }


async def accrue(
    *, session: AsyncSession, fund: Fund, data: AccrualCreate, posted_by: str, now: datetime
) -> Accrual:
    if fund.kind != FundKind.mine or fund.status != FundStatus.open:
        raise Conflict("Only an open mine fund accrues.")
    if await session.scalar(
        select(Accrual.id).where(Accrual.fund_id == fund.id, Accrual.year == data.year)
    ):
        raise Conflict(f"Fund {fund.id} already accrued for {data.year}.")
    rules = await rule_set_on(session, date(data.year, 1, 1))
    if rules is None:
        raise _bad("body.year", f"no accrual rule set is in effect on {data.year}-01-01")
    figures = await _figures(session, fund, rules, data)
    transfer_id = None
    if figures["posted_fen"] > 0:
        transfer_id = uuid5(NAMESPACE_URL, f"mineadmin:restoration:accrual:{fund.id}:{data.year}")
        await post_transfer(
            session=session,
            fund=fund,
            data=TransferCreate(
                id=transfer_id,
                kind=TransferKind.accrual,
                amount=yuan(figures["posted_fen"]),
                memo=f"{data.year}年度基金提取 ({rules.code})",
            ),
            posted_by=posted_by,
            now=now,
        )
    accrual = Accrual(
        **data.model_dump(),
        **figures,
        fund_id=fund.id,
        rule_set_id=rules.id,
        transfer_id=transfer_id,
        created_at=now,
    )
    session.add(accrual)
    await session.flush()
    await check_shortfall(session=session, fund=fund, now=now)
    return accrual


async def accrual_public(session: AsyncSession, accrual: Accrual) -> AccrualPublic:
    rules = await session.get(RuleSet, accrual.rule_set_id)
    mine_fund = await session.get(Fund, accrual.fund_id)
    mine = await session.get(MiningRight, mine_fund.right_id)
    return AccrualPublic(
        **accrual.model_dump(exclude={f"{name}_fen" for name in IN_FEN}),
        rule_set_code=rules.code,
        factors={
            "base_rate": rules.base_rates.get(mine.mineral, ""),
            "method": rules.method_factors.get(mine.method or "", ""),
            "land_type": rules.land_type_factors.get(accrual.land_type, ""),
            "region": rules.region_factors.get(accrual.region, ""),
        },
        **{name: yuan(getattr(accrual, f"{name}_fen")) for name in IN_FEN},
    )


async def list_accruals(
    *, session: AsyncSession, fund_id: UUID, caller: Principal, page: PageParams
) -> Page[AccrualPublic]:
    fund = await ledger.get_fund(session=session, fund_id=fund_id, caller=caller)
    rows = await paginate(
        session,
        select(Accrual).where(Accrual.fund_id == fund.id),
        page,
        order=(Accrual.year, Accrual.id),
    )
    return rows.with_items([await accrual_public(session, a) for a in rows.items])


async def accrue_fund(
    *, session: AsyncSession, fund_id: UUID, data: AccrualCreate, posted_by: str, now: datetime
) -> AccrualPublic:
    fund = await ledger.get_fund(session=session, fund_id=fund_id)
    accrual = await accrue(session=session, fund=fund, data=data, posted_by=posted_by, now=now)
    return await accrual_public(session, accrual)


async def list_rule_sets(*, session: AsyncSession, page: PageParams) -> Page[RuleSet]:
    return await paginate(
        session, select(RuleSet), page, order=(RuleSet.effective_from, RuleSet.id)
    )


async def get_rule_set(*, session: AsyncSession, rule_set_id: UUID) -> RuleSet:
    return await get_or_404(session, RuleSet, rule_set_id, what="rule set")
