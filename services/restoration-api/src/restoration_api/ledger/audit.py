"""Verifying the books: every account's stored balance recomputed from its entries, and every
transfer checked to balance; for one fund or all of them (the trial balance)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import case, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger.models import Account, Entry, Fund, Side, Transfer
from restoration_api.ledger.schemas import AccountCheck, Audit, Verification
from restoration_api.ledger.service import get_fund
from restoration_api.money import yuan

C, D = Side.credit, Side.debit


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


async def verify_fund(*, session: AsyncSession, fund_id: UUID, now: datetime) -> Verification:
    return await verify(
        session=session, fund=await get_fund(session=session, fund_id=fund_id), now=now
    )
