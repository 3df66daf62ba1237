"""Posting to the ledger. Functions never commit: the request (or the event handler) owns the
transaction, so a transfer, its entries, the balances and its event commit together or not at all.

Overdraw protection: a posting locks the accounts it moves and checks the cash on the locked
row (see ``posting``), so concurrent expenditures queue on the fund's cash row and the one that
would overdraw it writes nothing; the accounts' CHECK constraint backs this up.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from contracts.restoration import FundClosed, FundOpened, TransferPosted
from servicekit.auth import Principal
from servicekit.errors import (
    Conflict,
    FieldError,
    NotFound,
    ProblemError,
    Unprocessable,
    validation_error,
)
from servicekit.events.outbox import outbox_row, publish
from servicekit.pagination import PageParams, cursor_position
from sqlalchemy import case, func, tuple_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger import posting
from restoration_api.ledger.models import (
    Account,
    AccountCode,
    Entry,
    Fund,
    FundKind,
    FundStatus,
    Side,
    Transfer,
    TransferKind,
)
from restoration_api.ledger.money import to_fen, yuan
from restoration_api.ledger.posting import FundHead
from restoration_api.ledger.schemas import (
    AccountCheck,
    Audit,
    Balances,
    EntryPublic,
    FundPublic,
    TransferCreate,
    TransferPublic,
    Verification,
)
from restoration_api.mines.models import Mine
from restoration_api.works.models import ClosureCase, Work

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
# kind → the legs (account, side); every kind moves the same amount on each side
LEGS: dict[TransferKind, tuple[tuple[AccountCode, Side], ...]] = {
    TransferKind.accrual: ((AccountCode.accrued_cost, D), (AccountCode.obligation, C)),
    TransferKind.deposit: ((AccountCode.cash, D), (AccountCode.deposits, C)),
    TransferKind.legacy_deposit: ((AccountCode.cash, D), (AccountCode.deposits, C)),
    TransferKind.expenditure: ((AccountCode.spent, D), (AccountCode.cash, C)),
    TransferKind.refund: ((AccountCode.refunded, D), (AccountCode.cash, C)),
}
PROGRAM_KINDS = {TransferKind.deposit, TransferKind.expenditure, TransferKind.reversal}
DEPOSIT_KINDS = (TransferKind.deposit, TransferKind.legacy_deposit)
F = TypeVar("F", Fund, FundHead)


class Overdraw(Unprocessable):
    slug, title = "insufficient-funds", "The fund's cash would go negative"


@dataclass
class Posted:
    transfer: TransferPublic
    replayed: bool
    # code → balance after the posting, of the accounts it locked until the commit (not replays)
    balances: dict[str, int] = field(default_factory=dict)


# ---- funds ---------------------------------------------------------------------------------


async def open_mine_fund(*, session: AsyncSession, mine: Mine, now: datetime) -> Fund:
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
    await publish(
        session,
        FundOpened(
            fund_id=fund.id, right_id=mine.right_id, holder_id=mine.holder_id, opened_at=now
        ),
        subject=str(mine.right_id),
    )
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
    await publish(
        session,
        FundClosed(
            fund_id=fund.id, right_id=fund.right_id, holder_id=fund.holder_id, closed_at=now
        ),
        subject=str(fund.right_id),
    )
    return True


async def change_holder(*, session: AsyncSession, right_id: UUID, holder_id: UUID) -> None:
    fund = await fund_for_right(session=session, right_id=right_id)
    if fund is not None:
        fund.holder_id = holder_id
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


async def list_funds(
    *,
    session: AsyncSession,
    page: PageParams,
    caller: Principal,
    right_id: UUID | None = None,
    kind: FundKind | None = None,
    status: FundStatus | None = None,
) -> list[Fund]:
    query = select(Fund).order_by(Fund.opened_at, Fund.id).limit(page.limit + 1)
    if caller.own_holder is not None:
        query = query.where(Fund.holder_id == UUID(caller.own_holder))
    if right_id is not None:
        query = query.where(Fund.right_id == right_id)
    if kind is not None:
        query = query.where(Fund.kind == kind)
    if status is not None:
        query = query.where(Fund.status == status)
    if (position := cursor_position(page, datetime.fromisoformat, UUID)) is not None:
        query = query.where(tuple_(Fund.opened_at, Fund.id) > tuple_(*position))
    return list((await session.exec(query)).all())


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


# ---- posting -------------------------------------------------------------------------------


def request_hash(fund_id: UUID, data: TransferCreate) -> str:
    body = data.model_dump(mode="json")
    body["amount"] = to_fen(data.amount)  # "5" and "5.00" are the same request
    body["fund_id"] = str(fund_id)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


async def post_transfer(
    *,
    session: AsyncSession,
    fund: Fund | FundHead,
    data: TransferCreate,
    posted_by: str,
    now: datetime,
) -> Posted:
    """A deposit to a mine fund also locks the fund's requirement (``obligation``) and answers
    with it: the deposit that covers it (``accrual.settle_shortfall``) is then judged against a
    requirement no accrual can change before this transaction commits, and without a read."""
    digest = request_hash(fund.id, data)
    try:
        legs = await _legs(session, fund, data)
    except ProblemError:
        # a retry is answered as the first request was, whatever changed since (fund closed,
        # transfer reversed)
        if (existing := await session.get(Transfer, data.id)) is not None:
            return await _replay(session, existing, digest)
        raise
    amount = to_fen(data.amount)
    _, event = outbox_row(
        session,
        TransferPosted(
            transfer_id=data.id,
            fund_id=fund.id,
            right_id=fund.right_id,
            kind=data.kind,
            amount=Decimal(yuan(amount)),
            posted_at=now,
        ),
        subject=str(fund.right_id) if fund.right_id else None,
        key=str(fund.id),
    )
    written = await posting.write(
        session,
        fund_id=fund.id,
        data=data,
        amount_fen=amount,
        request_hash=digest,
        posted_by=posted_by,
        posted_at=now,
        legs=legs,
        watched=(
            (AccountCode.obligation,)
            if fund.kind == FundKind.mine and data.kind in DEPOSIT_KINDS
            else ()
        ),
        event=event,
    )
    if not written.posted:
        # posted before, or by a concurrent retry that committed while this one waited
        if (existing := await session.get(Transfer, data.id, populate_existing=True)) is not None:
            return await _replay(session, existing, digest)
        cash = written.guarded_balance or 0
        raise Overdraw(
            f"The fund holds {yuan(cash)} yuan; this {data.kind.value} of "
            f"{yuan(amount)} yuan would overdraw it.",
            available=yuan(cash),
            amount=yuan(amount),
        )
    return Posted(
        TransferPublic(
            id=data.id,
            fund_id=fund.id,
            kind=data.kind,
            amount=yuan(amount),
            work_id=data.work_id,
            reverses=data.reverses,
            reference=data.reference,
            memo=data.memo,
            posted_by=posted_by,
            posted_at=now,
            entries=[EntryPublic(account=c, side=sd, amount=yuan(amount)) for c, sd in legs],
        ),
        replayed=False,
        balances=written.balances,
    )


async def _replay(session: AsyncSession, existing: Transfer, digest: str) -> Posted:
    if existing.request_hash != digest:
        raise validation_error(
            [
                FieldError(
                    field="body.id",
                    message=f"transfer {existing.id} was already posted with a different "
                    "request; choose a new id for a new transfer",
                )
            ]
        )
    return Posted(await transfer_public(session, existing), replayed=True)


def _bad(field: str, message: str) -> Exception:
    return validation_error([FieldError(field=f"body.{field}", message=message)])


async def _legs(
    session: AsyncSession, fund: Fund | FundHead, data: TransferCreate
) -> list[tuple[AccountCode, Side]]:
    """Checks the transfer against the fund and returns its legs (the entries to write)."""
    kind = data.kind
    if fund.kind == FundKind.program and kind not in PROGRAM_KINDS:
        raise _bad("kind", f"a program fund takes deposit, expenditure or reversal, not {kind}")
    if fund.status == FundStatus.closed and kind not in (
        TransferKind.refund,
        TransferKind.reversal,
    ):
        raise Conflict(f"Fund {fund.id} is closed; only a refund or a reversal can be posted.")
    if kind == TransferKind.expenditure:
        await _check_work(session, fund, data.work_id)
    elif data.work_id is not None:
        raise _bad("work_id", "only an expenditure references a work")
    if kind == TransferKind.refund:
        passed = await session.scalar(
            select(ClosureCase.id).where(
                ClosureCase.right_id == fund.right_id, ClosureCase.status == "passed"
            )
        )
        if passed is None:
            raise Conflict(
                "A refund is paid only after the mine's closure restoration passed acceptance "
                "(第六章第二节三)."
            )
    if kind != TransferKind.reversal:
        if data.reverses is not None:
            raise _bad("reverses", "only a reversal names the transfer it reverses")
        return list(LEGS[kind])

    if data.reverses is None:
        raise _bad("reverses", "a reversal must name the transfer it reverses")
    original = await session.get(Transfer, data.reverses)
    if original is None or original.fund_id != fund.id:
        raise _bad("reverses", f"no transfer {data.reverses} in fund {fund.id}")
    if original.kind == TransferKind.reversal:
        raise _bad("reverses", "a reversal is not reversed; post the original transfer again")
    already = await session.scalar(select(Transfer.id).where(Transfer.reverses_id == original.id))
    if already is not None:
        raise Conflict(f"Transfer {original.id} was already reversed by {already}.")
    if to_fen(data.amount) != original.amount_fen:
        raise _bad("amount", f"a reversal moves the original amount, {yuan(original.amount_fen)}")
    rows = await session.exec(
        select(Account.code, Entry.side)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transfer_id == original.id)
    )
    return [(AccountCode(code), C if side == D else D) for code, side in rows.all()]


async def _check_work(session: AsyncSession, fund: Fund | FundHead, work_id: UUID | None) -> None:
    if work_id is None:
        raise _bad("work_id", "an expenditure must reference the restoration work it pays for")
    work = await session.get(Work, work_id)
    if work is None:
        raise _bad("work_id", f"no restoration work {work_id}")
    if fund.kind == FundKind.mine and work.right_id != fund.right_id:
        raise _bad("work_id", "the work belongs to another mine; a fund pays only its own mine")
    if fund.kind == FundKind.program and work.legacy_site_id is None:
        raise _bad("work_id", "a program fund pays only for works on legacy sites")


async def transfer_public(session: AsyncSession, transfer: Transfer) -> TransferPublic:
    rows = await session.exec(
        select(Account.code, Entry.side, Entry.amount_fen)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transfer_id == transfer.id)
        .order_by(Entry.id)
    )
    reversed_by = await session.scalar(
        select(Transfer.id).where(Transfer.reverses_id == transfer.id)
    )
    return TransferPublic(
        id=transfer.id,
        fund_id=transfer.fund_id,
        kind=transfer.kind,
        amount=yuan(transfer.amount_fen),
        work_id=transfer.work_id,
        reverses=transfer.reverses_id,
        reversed_by=reversed_by,
        reference=transfer.reference,
        memo=transfer.memo,
        posted_by=transfer.posted_by,
        posted_at=transfer.posted_at,
        entries=[EntryPublic(account=c, side=s, amount=yuan(a)) for c, s, a in rows.all()],
    )


async def get_transfer(*, session: AsyncSession, fund: Fund, transfer_id: UUID) -> TransferPublic:
    transfer = await session.get(Transfer, transfer_id)
    if transfer is None or transfer.fund_id != fund.id:
        raise NotFound(f"No transfer {transfer_id} in fund {fund.id}.")
    return await transfer_public(session, transfer)


async def list_transfers(
    *, session: AsyncSession, fund: Fund, page: PageParams, kind: TransferKind | None = None
) -> list[TransferPublic]:
    query = (
        select(Transfer)
        .where(Transfer.fund_id == fund.id)
        .order_by(Transfer.posted_at, Transfer.id)
        .limit(page.limit + 1)
    )
    if kind is not None:
        query = query.where(Transfer.kind == kind)
    if (position := cursor_position(page, datetime.fromisoformat, UUID)) is not None:
        query = query.where(tuple_(Transfer.posted_at, Transfer.id) > tuple_(*position))
    return [await transfer_public(session, t) for t in (await session.exec(query)).all()]


# ---- verification --------------------------------------------------------------------------


def _signed():
    return case((Entry.side == Account.normal, Entry.amount_fen), else_=-Entry.amount_fen)


async def _account_checks(session: AsyncSession, fund_id: UUID | None) -> list[AccountCheck]:
    query = (
        select(
            Account.fund_id,
            Account.code,
            Account.balance_fen,
            func.coalesce(func.sum(_signed()), 0),
        )
        .outerjoin(Entry, Entry.account_id == Account.id)
        .group_by(Account.id)
        .order_by(Account.fund_id, Account.code)
    )
    if fund_id is not None:
        query = query.where(Account.fund_id == fund_id)
    return [
        AccountCheck(
            fund_id=fid,
            account=code,
            stored=yuan(stored),
            computed=yuan(int(computed)),
            ok=stored == computed,
        )
        for fid, code, stored, computed in (await session.exec(query)).all()
    ]


async def _unbalanced(session: AsyncSession, fund_id: UUID | None) -> list[UUID]:
    debit = func.coalesce(func.sum(case((Entry.side == D, Entry.amount_fen), else_=0)), 0)
    credit = func.coalesce(func.sum(case((Entry.side == C, Entry.amount_fen), else_=0)), 0)
    query = (
        select(Transfer.id)
        .outerjoin(Entry, Entry.transfer_id == Transfer.id)
        .group_by(Transfer.id)
        .having((debit != credit) | (debit != Transfer.amount_fen))
    )
    if fund_id is not None:
        query = query.where(Transfer.fund_id == fund_id)
    return list((await session.exec(query)).all())


async def verify(*, session: AsyncSession, fund: Fund, now: datetime) -> Verification:
    checks = await _account_checks(session, fund.id)
    unbalanced = await _unbalanced(session, fund.id)
    return Verification(
        ok=all(c.ok for c in checks) and not unbalanced,
        fund_id=fund.id,
        accounts=checks,
        unbalanced_transfers=unbalanced,
        checked_at=now,
    )


async def audit(*, session: AsyncSession, now: datetime) -> Audit:
    checks = await _account_checks(session, None)
    unbalanced = await _unbalanced(session, None)
    totals = (
        await session.exec(
            select(
                func.coalesce(func.sum(case((Entry.side == D, Entry.amount_fen), else_=0)), 0),
                func.coalesce(func.sum(case((Entry.side == C, Entry.amount_fen), else_=0)), 0),
            )
        )
    ).one()
    debits, credits = int(totals[0]), int(totals[1])
    mismatches = [c for c in checks if not c.ok]
    return Audit(
        ok=not mismatches and not unbalanced and debits == credits,
        funds_checked=len({c.fund_id for c in checks}),
        accounts_checked=len(checks),
        mismatches=mismatches,
        unbalanced_transfers=unbalanced,
        total_debits=yuan(debits),
        total_credits=yuan(credits),
        checked_at=now,
    )
