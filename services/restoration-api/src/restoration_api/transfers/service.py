"""Posting transfers to a fund's ledger, and reading them back. Functions never commit: the
request (or the event handler) owns the transaction, so a transfer, its entries, the balances and
its event commit together or not at all.

Overdraw protection: a posting locks the accounts it moves and checks the cash on the locked
row (see ``ledger.posting``), so concurrent expenditures queue on the fund's cash row and the one
that would overdraw it writes nothing; the accounts' CHECK constraint backs this up.
"""

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.restoration import TransferPosted
from servicekit.auth import Principal
from servicekit.errors import (
    Conflict,
    FieldError,
    NotFound,
    ProblemError,
    Unprocessable,
    validation_error,
)
from servicekit.events.outbox import outbox_row
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.closures import service as closures
from restoration_api.ledger import posting, shortfalls
from restoration_api.ledger import service as ledger
from restoration_api.ledger.models import (
    AFTER_CLOSURE,
    DEPOSIT_KINDS,
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
from restoration_api.ledger.posting import FundHead
from restoration_api.ledger.schemas import (
    EntryPublic,
    TransferCreate,
    TransferFilters,
    TransferPublic,
)
from restoration_api.money import to_fen, yuan
from restoration_api.rights import matching
from restoration_api.works import service as works

C, D = Side.credit, Side.debit
# kind → the legs (account, side); every kind moves the same amount on each side
LEGS: dict[TransferKind, tuple[tuple[AccountCode, Side], ...]] = {
    TransferKind.accrual: ((AccountCode.accrued_cost, D), (AccountCode.obligation, C)),
    TransferKind.deposit: ((AccountCode.cash, D), (AccountCode.deposits, C)),
    TransferKind.legacy_deposit: ((AccountCode.cash, D), (AccountCode.deposits, C)),
    TransferKind.expenditure: ((AccountCode.spent, D), (AccountCode.cash, C)),
    TransferKind.refund: ((AccountCode.refunded, D), (AccountCode.cash, C)),
}
PROGRAM_KINDS = {TransferKind.deposit, TransferKind.expenditure, TransferKind.reversal}
# kinds whose checks read nothing but the fund (an expenditure reads its work, a refund the
# closure case, a reversal its original)
FIXED_LEGS = {TransferKind.accrual, TransferKind.deposit, TransferKind.legacy_deposit}


class Overdraw(Unprocessable):
    slug, title = "insufficient-funds", "The fund's cash would go negative"


@dataclass
class Posted:
    transfer: TransferPublic
    replayed: bool
    # code → balance after the posting, of the accounts it locked until the commit (not replays)
    balances: dict[str, int] = field(default_factory=dict)


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
    written = await _write(session, fund, data, legs, digest, posted_by, now)
    if not written.posted:
        # posted before, or by a concurrent retry that committed while this one waited
        if (existing := await session.get(Transfer, data.id, populate_existing=True)) is not None:
            return await _replay(session, existing, digest)
        if not written.found:  # closed since it was read
            raise Conflict(f"Fund {fund.id} is closed; only a refund or a reversal can be posted.")
        cash, amount = written.guarded_balance or 0, to_fen(data.amount)
        raise Overdraw(
            f"The fund holds {yuan(cash)} yuan; this {data.kind.value} of "
            f"{yuan(amount)} yuan would overdraw it.",
            available=yuan(cash),
            amount=yuan(amount),
        )
    return _posted(fund, data, legs, posted_by, now, written)


async def _write(
    session: AsyncSession,
    fund: Fund | FundHead,
    data: TransferCreate,
    legs: list[tuple[AccountCode, Side]],
    digest: str,
    posted_by: str,
    now: datetime,
) -> posting.Written:
    """The transfer, its entries, its event and the balances, in one statement."""
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
    return await posting.write(
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


def _posted(
    fund: Fund | FundHead,
    data: TransferCreate,
    legs: list[tuple[AccountCode, Side]],
    posted_by: str,
    now: datetime,
    written: posting.Written,
) -> Posted:
    yuan_amount = yuan(to_fen(data.amount))
    return Posted(
        TransferPublic(
            id=data.id,
            fund_id=fund.id,
            kind=data.kind,
            amount=yuan_amount,
            work_id=data.work_id,
            reverses=data.reverses,
            reference=data.reference,
            memo=data.memo,
            posted_by=posted_by,
            posted_at=now,
            entries=[EntryPublic(account=c, side=sd, amount=yuan_amount) for c, sd in legs],
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
    if fund.status == FundStatus.closed and kind not in AFTER_CLOSURE:
        raise Conflict(f"Fund {fund.id} is closed; only a refund or a reversal can be posted.")
    if kind == TransferKind.expenditure:
        await _check_work(session, fund, data.work_id)
    elif data.work_id is not None:
        raise _bad("work_id", "only an expenditure references a work")
    if kind == TransferKind.refund:
        if not await closures.passed(session=session, right_id=fund.right_id):
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
    work = await works.find(session=session, work_id=work_id)
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


async def post(
    *, session: AsyncSession, fund_id: UUID, data: TransferCreate, caller: Principal, now: datetime
) -> Posted:
    """The posting route's work: the fund as the caller may see it, the transfer, and the
    shortfall its deposit may cover."""
    fund: Fund | FundHead
    if (unread := await _post_to_known_fund(session, fund_id, data, caller, now)) is not None:
        posted, fund = unread
    else:
        fund = await ledger.fund_to_post(session=session, fund_id=fund_id, caller=caller)
        posted = await post_transfer(
            session=session, fund=fund, data=data, posted_by=caller.subject, now=now
        )
    if not posted.replayed:
        await shortfalls.settle_shortfall(
            session=session, fund=fund, balances=posted.balances, transfer=data
        )
    return posted


async def _post_to_known_fund(
    session: AsyncSession, fund_id: UUID, data: TransferCreate, caller: Principal, now: datetime
) -> tuple[Posted, FundHead] | None:
    """A posting without the fund read, when nothing but the fund's kind decides its legs and
    this process read the fund before: the statement itself finds the fund open (and answers its
    holder), and the caller sees every holder. When it writes nothing (a retry, an overdraw, a
    missing or closed fund) the posting goes the long way, which answers as it always did; the
    statement's locks are taken again in the same order, so this adds no deadlock."""
    known = posting.known_fund(fund_id)
    if (
        known is None
        or caller.own_holder is not None
        or data.kind not in FIXED_LEGS
        or data.work_id is not None
        or data.reverses is not None
        or (known.kind == FundKind.program and data.kind not in PROGRAM_KINDS)
    ):
        return None
    legs = list(LEGS[data.kind])
    fund = FundHead(fund_id, known.kind, FundStatus.open, known.right_id, None)
    digest = request_hash(fund_id, data)
    written = await _write(session, fund, data, legs, digest, caller.subject, now)
    if not written.posted:
        return None
    fund = replace(fund, holder_id=written.holder_id)
    return _posted(fund, data, legs, caller.subject, now, written), fund


async def fund_transfer(
    *, session: AsyncSession, fund_id: UUID, transfer_id: UUID, caller: Principal
) -> TransferPublic:
    fund = await ledger.get_fund(session=session, fund_id=fund_id, caller=caller)
    return await get_transfer(session=session, fund=fund, transfer_id=transfer_id)


async def fund_transfers(
    *,
    session: AsyncSession,
    fund_id: UUID,
    caller: Principal,
    page: PageParams,
    filters: TransferFilters,
) -> Page[TransferPublic]:
    fund = await ledger.get_fund(session=session, fund_id=fund_id, caller=caller)
    query = matching(Transfer, filters).where(Transfer.fund_id == fund.id)
    rows = await paginate(session, query, page, order=(Transfer.posted_at, Transfer.id))
    return rows.with_items([await transfer_public(session, t) for t in rows.items])
