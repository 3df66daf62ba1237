"""Fund accounts: a mine's fund opened when its right is granted and closed when the mine has
closed and its closure restoration passed; program funds of public money; balances.
Functions never commit: the request (or the event handler) owns the transaction."""

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from contracts.base import EventPayload
from contracts.restoration import FundClosed, FundOpened
from mining_rights import MiningRight
from servicekit.auth import Principal
from servicekit.errors import NotFound
from servicekit.pagination import Page
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api import rights
from restoration_api.closures import service as closures
from restoration_api.ledger import posting
from restoration_api.ledger.models import (
    Account,
    AccountCode,
    Fund,
    FundKind,
    FundStatus,
    Side,
)
from restoration_api.ledger.posting import FundHead
from restoration_api.ledger.schemas import Balances, FundFilters, FundPublic
from restoration_api.money import yuan

C, D = Side.credit, Side.debit
# code → (normal side, never negative)
CHART: dict[FundKind, dict[AccountCode, tuple[Side, bool]]] = {
    FundKind.mine: {
        AccountCode.cash: (D, True),
        AccountCode.deposits: (C, False),
        AccountCode.spent: (D, False),
        AccountCode.refunded: (D, False),
        AccountCode.obligation: (C, False),
        AccountCode.accrued_cost: (D, False),
    },
    FundKind.program: {
        AccountCode.cash: (D, True),
        AccountCode.deposits: (C, False),
        AccountCode.spent: (D, False),
    },
}
CLOSED = ("closed", "closed_by_policy")
F = TypeVar("F", Fund, FundHead)


async def open_mine_fund(*, session: AsyncSession, mine: MiningRight, now: datetime) -> Fund:
    """Idempotent: the fund of a right is opened once, whatever replays the event."""
    existing = await fund_for_right(session=session, right_id=mine.right_id)
    if existing is not None:
        return existing
    fund = await _open(
        session,
        kind=FundKind.mine,
        name=f"{mine.mine_name} 治理恢复基金",
        right_id=mine.right_id,
        holder_id=mine.holder_id,
        now=now,
    )
    await announce(session, fund, FundOpened, opened_at=now)
    return fund


async def open_program_fund(
    *, session: AsyncSession, name: str, source: str, now: datetime
) -> Fund:
    return await _open(session, kind=FundKind.program, name=name, source=source, now=now)


async def _open(session: AsyncSession, *, kind: FundKind, now: datetime, **values) -> Fund:
    fund = Fund(kind=kind, status=FundStatus.open, opened_at=now, **values)
    session.add(fund)
    await session.flush()
    for code, (normal, non_negative) in CHART[kind].items():
        session.add(Account(fund_id=fund.id, code=code, normal=normal, non_negative=non_negative))
    await session.flush()
    return fund


async def close_mine_fund(*, session: AsyncSession, fund: Fund, now: datetime) -> bool:
    if fund.status == FundStatus.closed:
        return False
    fund.status, fund.closed_at = FundStatus.closed, now
    session.add(fund)
    await session.flush()
    await announce(session, fund, FundClosed, closed_at=now)
    return True


async def announce(
    session: AsyncSession, fund: Fund | FundHead, event: type[EventPayload], **fields: Any
) -> None:
    """Publishes ``event`` about a mine's fund, with ``fields`` besides the fund's keys."""
    await rights.announce(session, fund, event, fund_id=fund.id, **fields)


async def close_fund_if_done(*, session: AsyncSession, right_id: UUID, now: datetime) -> None:
    """The fund closes once the mine is closed and its closure restoration was accepted."""
    mine = await session.get(MiningRight, right_id)
    if mine is None or mine.status not in CLOSED:
        return
    fund = await fund_for_right(session=session, right_id=right_id)
    if fund is not None and await closures.passed(session=session, right_id=right_id):
        await close_mine_fund(session=session, fund=fund, now=now)


async def follow_holder(*, session: AsyncSession, right_id: UUID) -> None:
    """The fund follows its right to the holder the read model names (the right was
    transferred): the new holder answers for the land."""
    mine = await session.get(MiningRight, right_id)
    fund = await fund_for_right(session=session, right_id=right_id)
    if mine is not None and fund is not None:
        fund.holder_id = mine.holder_id
        session.add(fund)


async def get_fund(
    *, session: AsyncSession, fund_id: UUID, caller: Principal | None = None
) -> Fund:
    return _visible(await session.get(Fund, fund_id), fund_id, caller)


async def fund_to_post(*, session: AsyncSession, fund_id: UUID, caller: Principal) -> FundHead:
    """``get_fund`` for a posting: the columns it needs, without an ORM load."""
    return _visible(await posting.read_fund(session, fund_id), fund_id, caller)


def _visible(fund: F | None, fund_id: UUID, caller: Principal | None) -> F:
    # an enterprise asking for another holder's fund learns nothing, not even that it exists
    if fund is None or (caller is not None and not caller.sees_holder(fund.holder_id)):
        raise NotFound(f"No fund {fund_id}.")
    return fund


async def fund_for_right(*, session: AsyncSession, right_id: UUID) -> Fund | None:
    return await session.scalar(select(Fund).where(Fund.right_id == right_id))


async def list_funds(rows: rights.MineRows, filters: FundFilters) -> Page[FundPublic]:
    funds = await rows.of_holder(Fund, filters, Fund.opened_at, Fund.id)
    return funds.with_items([await fund_public(rows.session, f) for f in funds.items])


async def balances_fen(session: AsyncSession, fund_id: UUID) -> dict[str, int]:
    """Fresh from the account rows (column select: never a stale ORM copy)."""
    rows = await session.exec(
        select(Account.code, Account.balance_fen).where(Account.fund_id == fund_id)
    )
    return {code: balance for code, balance in rows.all()}


def balances_of(raw: dict[str, int]) -> Balances:
    required, deposited = raw.get("obligation", 0), raw.get("deposits", 0)
    return Balances(
        required=yuan(required),
        deposited=yuan(deposited),
        spent=yuan(raw.get("spent", 0)),
        refunded=yuan(raw.get("refunded", 0)),
        available=yuan(raw.get("cash", 0)),
        shortfall=yuan(max(required - deposited, 0)),
    )


async def fund_public(session: AsyncSession, fund: Fund) -> FundPublic:
    return FundPublic(
        **fund.model_dump(), balances=balances_of(await balances_fen(session, fund.id))
    )
