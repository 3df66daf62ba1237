"""HTTP for funds, their ledger and its verification."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.accrual import service as accrual
from restoration_api.ledger import service
from restoration_api.ledger.models import FundKind, FundStatus, TransferKind
from restoration_api.ledger.schemas import (
    Audit,
    FundPublic,
    ProgramFundCreate,
    TransferCreate,
    TransferPublic,
    Verification,
)

router = APIRouter(tags=["funds 治理恢复基金"])
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[
    Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system, Role.enterprise))
]
Poster = Annotated[Principal, Depends(require(Role.bureau_admin, Role.gov_system))]
Auditor = Annotated[Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system))]
Admin = Annotated[Principal, Depends(require(Role.bureau_admin))]
NO_FUND = {404: problem_doc("No such fund (or not yours) 无此基金账户")}


@router.get(
    "/funds",
    response_model=Page[FundPublic],
    summary="List restoration funds 基金账户列表",
    description="One fund per mining right, opened when rights-api grants the right "
    "(`rights.right.granted`), plus program funds of public money for legacy sites. "
    "Enterprises see only their own funds.",
    responses=PROBLEM_RESPONSES,
)
async def list_funds(
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    right_id: UUID | None = None,
    kind: FundKind | None = None,
    status: FundStatus | None = None,
) -> Page[FundPublic]:
    funds = await service.list_funds(
        session=session, page=page, caller=caller, right_id=right_id, kind=kind, status=status
    )
    return page_of(
        [await service.fund_public(session, f) for f in funds],
        page,
        lambda f: [f.opened_at.isoformat(), str(f.id)],
    )


@router.post(
    "/funds",
    status_code=status.HTTP_201_CREATED,
    response_model=FundPublic,
    summary="Open a program fund 开立专项资金账户",
    description="Public money for legacy and orphan sites (第六章第二节四: 政府主导, 财政预算, "
    "专项资金) is kept in program funds of its own, never mixed with a mine's fund. Mine "
    "funds are opened from rights-api's events, not here.",
    responses=PROBLEM_RESPONSES,
)
async def open_program_fund(
    data: ProgramFundCreate, session: Session, _: Admin, response: Response
) -> FundPublic:
    fund = await service.open_program_fund(
        session=session, name=data.name, source=data.source, now=datetime.now(UTC)
    )
    response.headers["Location"] = f"/funds/{fund.id}"
    return await service.fund_public(session, fund)


@router.get(
    "/funds/{fund_id}",
    response_model=FundPublic,
    summary="A fund and its balances 基金账户及余额",
    description="`balances`: `required` (accrued 应提取), `deposited` (缴存), `spent` (使用), "
    "`available` (cash in the bank account), as decimal strings in yuan.",
    responses={**PROBLEM_RESPONSES, **NO_FUND},
)
async def get_fund(fund_id: UUID, session: Session, caller: Reader) -> FundPublic:
    fund = await service.get_fund(session=session, fund_id=fund_id, caller=caller)
    return await service.fund_public(session, fund)


@router.get(
    "/funds/{fund_id}/transfers",
    response_model=Page[TransferPublic],
    summary="A fund's transfers 基金账务明细",
    description="Every transfer with its double entries, in posting order.",
    responses={**PROBLEM_RESPONSES, **NO_FUND},
)
async def list_transfers(
    fund_id: UUID,
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    kind: TransferKind | None = None,
) -> Page[TransferPublic]:
    fund = await service.get_fund(session=session, fund_id=fund_id, caller=caller)
    rows = await service.list_transfers(session=session, fund=fund, page=page, kind=kind)
    return page_of(rows, page, lambda t: [t.posted_at.isoformat(), str(t.id)])


@router.post(
    "/funds/{fund_id}/transfers",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferPublic,
    summary="Post a transfer 记账",
    description="Kinds: `accrual` 提取, `deposit` 缴存, `expenditure` 使用 (names `work_id`), "
    "`legacy_deposit` 保证金转存, `refund` 退还 (after the closure acceptance), `reversal` 冲正 "
    "(names `reverses`; the only correction: entries are never changed or deleted). "
    "`amount` is a decimal string in yuan; a JSON number is refused. The client chooses `id`: "
    "posting the same request again returns the first result (`Idempotent-Replayed: true`), "
    "the same id with another body is refused. A transfer that would take the fund's cash "
    "below zero is refused with 422 `insufficient-funds`.",
    responses={
        **PROBLEM_RESPONSES,
        **NO_FUND,
        409: problem_doc("Fund closed, already reversed, or refund before closure acceptance"),
    },
)
async def post_transfer(
    fund_id: UUID, data: TransferCreate, session: Session, caller: Poster, response: Response
) -> TransferPublic:
    fund = await service.fund_to_post(session=session, fund_id=fund_id, caller=caller)
    posted = await service.post_transfer(
        session=session, fund=fund, data=data, posted_by=caller.subject, now=datetime.now(UTC)
    )
    if not posted.replayed:
        await accrual.settle_shortfall(session=session, fund=fund, posted=posted, transfer=data)
    response.headers["Location"] = f"/funds/{fund.id}/transfers/{data.id}"
    if posted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return posted.transfer


@router.get(
    "/funds/{fund_id}/transfers/{transfer_id}",
    response_model=TransferPublic,
    summary="A transfer and its entries 账务详情",
    description="One transfer with its debit and credit entries, and the reversal that "
    "corrected it, if any.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such fund or transfer")},
)
async def get_transfer(
    fund_id: UUID, transfer_id: UUID, session: Session, caller: Reader
) -> TransferPublic:
    fund = await service.get_fund(session=session, fund_id=fund_id, caller=caller)
    return await service.get_transfer(session=session, fund=fund, transfer_id=transfer_id)


@router.get(
    "/funds/{fund_id}/verify",
    response_model=Verification,
    summary="Verify a fund's books 对账",
    description="Recomputes every account balance from the entries and checks each transfer "
    "balances; `ok` is false when a stored balance was changed behind the ledger's back.",
    responses={**PROBLEM_RESPONSES, **NO_FUND},
)
async def verify_fund(fund_id: UUID, session: Session, _: Auditor) -> Verification:
    fund = await service.get_fund(session=session, fund_id=fund_id)
    return await service.verify(session=session, fund=fund, now=datetime.now(UTC))


@router.get(
    "/ledger/audit",
    response_model=Audit,
    summary="Audit all funds 全部基金对账",
    description="`verify` for every fund at once, plus the trial balance (all debits = all "
    "credits).",
    responses=PROBLEM_RESPONSES,
)
async def audit(session: Session, _: Auditor) -> Audit:
    return await service.audit(session=session, now=datetime.now(UTC))
