"""HTTP for funds, their balances and the verification of their books."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.deps import Admin, Officials, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.ledger import audit as books
from restoration_api.ledger import service
from restoration_api.ledger.schemas import (
    Audit,
    FundFilters,
    FundPublic,
    ProgramFundCreate,
    Verification,
)
from restoration_api.rights import Listing

router = APIRouter(tags=["funds 治理恢复基金"])
NO_FUND = {404: problem_doc("No such fund (or not yours) 无此基金账户")}


@router.get("/funds", summary="List restoration funds 基金账户列表")
async def list_funds(rows: Listing, filters: Annotated[FundFilters, Query()]) -> Page[FundPublic]:
    """One fund per mining right, opened when rights-api grants the right (`rights.right.granted`),
    plus program funds of public money for legacy sites. Enterprises see only their own funds.
    """
    return await service.list_funds(rows, filters)


@router.post("/funds", status_code=201, summary="Open a program fund 开立专项资金账户")
async def open_program_fund(
    data: ProgramFundCreate, session: Session, _: Admin, response: Response
) -> FundPublic:
    """Public money for legacy and orphan sites (第六章第二节四: 政府主导, 财政预算, 专项资金) is
    kept in program funds of its own, never mixed with a mine's fund. Mine funds are opened from
    rights-api's events, not here.
    """
    fund = await service.open_program_fund(
        session=session, name=data.name, source=data.source, now=clock.now()
    )
    response.headers["Location"] = f"/funds/{fund.id}"
    return await service.fund_public(session, fund)


@router.get(
    "/funds/{fund_id}", summary="A fund and its balances 基金账户及余额", responses={**NO_FUND}
)
async def get_fund(fund_id: UUID, session: Session, caller: Reader) -> FundPublic:
    """`balances`: `required` (accrued 应提取), `deposited` (缴存), `spent` (使用), `available`
    (cash in the bank account), as decimal strings in yuan.
    """
    fund = await service.get_fund(session=session, fund_id=fund_id, caller=caller)
    return await service.fund_public(session, fund)


@router.get("/funds/{fund_id}/verify", summary="Verify a fund's books 对账", responses={**NO_FUND})
async def verify_fund(fund_id: UUID, session: Session, _: Officials) -> Verification:
    """Recomputes every account balance from the entries and checks each transfer balances; `ok` is
    false when a stored balance was changed behind the ledger's back.
    """
    return await books.verify_fund(session=session, fund_id=fund_id, now=clock.now())


@router.get("/ledger/audit", summary="Audit all funds 全部基金对账")
async def audit(session: Session, _: Officials) -> Audit:
    """`verify` for every fund at once, plus the trial balance (all debits = all credits)."""
    return await books.audit(session=session, now=clock.now())
