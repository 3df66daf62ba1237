"""HTTP for posting transfers to a fund and reading them back."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from servicekit import clock
from servicekit.auth import Principal, Role, require
from servicekit.deps import Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.ledger.schemas import TransferCreate, TransferFilters, TransferPublic
from restoration_api.transfers import service

router = APIRouter(tags=["funds 治理恢复基金"])
# the bureau's finance and the government payment system post; nobody else
Poster = Annotated[Principal, Depends(require(Role.bureau_admin, Role.gov_system))]
NO_FUND = {404: problem_doc("No such fund (or not yours) 无此基金账户")}
NOT_POSTED = {
    **NO_FUND,
    409: problem_doc("Fund closed, already reversed, or refund before closure acceptance"),
}


@router.get(
    "/funds/{fund_id}/transfers", summary="A fund's transfers 基金账务明细", responses=NO_FUND
)
async def list_transfers(
    fund_id: UUID,
    session: Session,
    caller: Reader,
    page: Paging,
    filters: Annotated[TransferFilters, Query()],
) -> Page[TransferPublic]:
    """Every transfer with its double entries, in posting order."""
    return await service.fund_transfers(
        session=session, fund_id=fund_id, caller=caller, page=page, filters=filters
    )


@router.post(
    "/funds/{fund_id}/transfers",
    status_code=201,
    summary="Post a transfer 记账",
    responses=NOT_POSTED,
)
async def post_transfer(
    fund_id: UUID, data: TransferCreate, session: Session, caller: Poster, response: Response
) -> TransferPublic:
    """Kinds: `accrual` 提取, `deposit` 缴存, `expenditure` 使用 (names `work_id`), `legacy_deposit`
    保证金转存, `refund` 退还 (after the closure acceptance), `reversal` 冲正 (names `reverses`; the
    only correction: entries are never changed or deleted). `amount` is a decimal string in yuan; a
    JSON number is refused. The client chooses `id`: posting the same request again returns the
    first result (`Idempotent-Replayed: true`), the same id with another body is refused. A transfer
    that would take the fund's cash below zero is refused with 422 `insufficient-funds`.
    """
    posted = await service.post(
        session=session, fund_id=fund_id, data=data, caller=caller, now=clock.now()
    )
    response.headers["Location"] = f"/funds/{fund_id}/transfers/{data.id}"
    if posted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return posted.transfer


@router.get(
    "/funds/{fund_id}/transfers/{transfer_id}",
    summary="A transfer and its entries 账务详情",
    responses={404: problem_doc("No such fund or transfer")},
)
async def get_transfer(
    fund_id: UUID, transfer_id: UUID, session: Session, caller: Reader
) -> TransferPublic:
    """One transfer with its debit and credit entries, and the reversal that corrected it, if
    any."""
    return await service.fund_transfer(
        session=session, fund_id=fund_id, transfer_id=transfer_id, caller=caller
    )
