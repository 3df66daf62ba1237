"""Shortfalls 缴存缺口 of mine funds: a requirement the deposits do not cover publishes
``restoration.fund.shortfall`` (a deadline set); the deposit that covers it again publishes
``restoration.fund.shortfall_covered`` (the deadline met)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, uuid5

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.restoration import FundShortfall, FundShortfallCovered
from servicekit import clock
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger.models import (
    DEPOSIT_KINDS,
    AccountCode,
    Fund,
    FundKind,
    FundStatus,
    Shortfall,
)
from restoration_api.ledger.posting import FundHead
from restoration_api.ledger.schemas import TransferCreate
from restoration_api.ledger.service import announce, balances_fen
from restoration_api.money import to_fen, yuan


async def check_shortfall(*, session: AsyncSession, fund: Fund, now: datetime) -> bool:
    """Publishes ``restoration.fund.shortfall`` once per requirement level not covered."""
    if fund.kind != FundKind.mine:
        return False
    balances = await balances_fen(session, fund.id)
    required, deposited = balances.get("obligation", 0), balances.get("deposits", 0)
    if deposited >= required:
        return False
    grace = session.info["settings"].shortfall_grace_days
    due_on = clock.local_today(now) + timedelta(days=grace)
    new = await session.exec(
        pg_insert(Shortfall)
        .values(
            id=uuid5(NAMESPACE_URL, f"mineadmin:restoration:shortfall:{fund.id}:{required}"),
            fund_id=fund.id,
            required_fen=required,
            deposited_fen=deposited,
            due_on=due_on,
            noticed_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Shortfall.id)
    )
    if new.first() is None:
        return False
    missing = required - deposited
    deadline = _shortfall_deadline(fund, due_on, f"治理恢复基金补缴 {yuan(missing)} 元")
    shortfall = Decimal(yuan(missing))
    await _announce(
        session, fund, FundShortfall, required, deposited, deadline, shortfall=shortfall
    )
    return True


async def settle_shortfall(
    *,
    session: AsyncSession,
    fund: Fund | FundHead,
    balances: dict[str, int],
    transfer: TransferCreate,
) -> bool:
    """After ``transfer`` was posted: when it is the deposit that brought the deposits up to
    the requirement, and a shortfall had been noticed, the shortfall's deadline is met.
    The posting locked the fund's ``deposits`` and ``obligation`` rows until the commit and
    answered with their ``balances`` after it, so deposits to one fund queue on them and
    exactly one of them crosses the line, against a requirement no accrual changes meanwhile."""
    if fund.kind != FundKind.mine or transfer.kind not in DEPOSIT_KINDS:
        return False
    deposited_fen = to_fen(transfer.amount)
    required = balances[AccountCode.obligation]
    deposited = balances[AccountCode.deposits]
    if not deposited - deposited_fen < required <= deposited:
        return False
    noticed = (
        await session.exec(
            select(Shortfall)
            .where(Shortfall.fund_id == fund.id)
            .order_by(Shortfall.noticed_at.desc(), Shortfall.required_fen.desc())
            .limit(1)
        )
    ).first()
    if noticed is None:
        return False
    deadline = _shortfall_deadline(
        fund,
        noticed.due_on,
        f"治理恢复基金缴存缺口已补足（应提取 {yuan(required)} 元）",
        action=DeadlineAction.met,
    )
    await _announce(session, fund, FundShortfallCovered, required, deposited, deadline)
    return True


async def fund_shortfall(session: AsyncSession, now: datetime) -> int:
    """Job: every open mine fund whose deposits fall behind its requirement gets a notice."""
    funds = (
        await session.exec(
            select(Fund).where(Fund.kind == FundKind.mine, Fund.status == FundStatus.open)
        )
    ).all()
    return sum([await check_shortfall(session=session, fund=f, now=now) for f in funds])


def _shortfall_deadline(
    fund: Fund | FundHead, due_on: date, title_zh: str, action: DeadlineAction = DeadlineAction.set
) -> Deadline:
    """The one deadline a fund's shortfall sets and its covering deposit meets."""
    return Deadline(
        id=f"restoration:shortfall:{fund.id}",
        kind="fund_shortfall",
        action=action,
        due_at=due_on,
        subject=str(fund.right_id),
        audience=Audience(holder_id=str(fund.holder_id)),
        title_zh=title_zh,
    )


async def _announce(
    session: AsyncSession,
    fund: Fund | FundHead,
    event: type[FundShortfall | FundShortfallCovered],
    required: int,
    deposited: int,
    deadline: Deadline,
    **fields: Decimal,
) -> None:
    """Publishes ``event`` with the fund's requirement and deposits (fen, told in yuan)."""
    figures = {"required": Decimal(yuan(required)), "deposited": Decimal(yuan(deposited))}
    await announce(session, fund, event, **figures, deadline=deadline, **fields)
