"""HTTP for accrual rule sets and yearly accruals."""

from uuid import UUID

from fastapi import APIRouter, Response
from servicekit import clock
from servicekit.deps import Admin, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.accrual import service
from restoration_api.accrual.schemas import (
    AccrualCreate,
    AccrualPublic,
    RuleSetCreate,
    RuleSetPublic,
)
from restoration_api.transfers.router import Poster

router = APIRouter(tags=["accrual 基金提取"])
NO_FUND = {404: problem_doc("No such fund (or not yours)")}


@router.post(
    "/accrual-rule-sets",
    status_code=201,
    summary="Load an accrual rule set 导入基金提取标准",
    responses={409: problem_doc("Code taken or period overlaps")},
)
async def load_rule_set(
    data: RuleSetCreate, session: Session, _: Admin, response: Response
) -> RuleSetPublic:
    """Coefficient tables for one effective period: base rate per mineral (yuan per unit of output),
    mining-method, land-type and region factors. Periods may not overlap. The shipped
    `illustrative-2021` set is an example, not the region's official figures.
    """
    rules = await service.load_rule_set(session=session, data=data, now=clock.now())
    response.headers["Location"] = f"/accrual-rule-sets/{rules.id}"
    return RuleSetPublic.model_validate(rules, from_attributes=True)


@router.get("/accrual-rule-sets", summary="Accrual rule sets 基金提取标准列表")
async def list_rule_sets(session: Session, _: Reader, page: Paging) -> Page[RuleSetPublic]:
    """All loaded rule sets by effective period; `illustrative` marks example figures."""
    rows = await service.list_rule_sets(session=session, page=page)
    return rows.shaped(RuleSetPublic)


@router.get(
    "/accrual-rule-sets/{rule_set_id}",
    summary="An accrual rule set 基金提取标准详情",
    responses={404: problem_doc("No such rule set")},
)
async def get_rule_set(rule_set_id: UUID, session: Session, _: Reader) -> RuleSetPublic:
    """One rule set with its coefficient tables."""
    rules = await service.get_rule_set(session=session, rule_set_id=rule_set_id)
    return RuleSetPublic.model_validate(rules, from_attributes=True)


@router.post(
    "/funds/{fund_id}/accruals",
    status_code=201,
    summary="Accrue a year 年度基金提取",
    responses={
        404: problem_doc("No such fund"),
        409: problem_doc("Already accrued for the year, or fund closed"),
    },
)
async def accrue(
    fund_id: UUID, data: AccrualCreate, session: Session, caller: Poster, response: Response
) -> AccrualPublic:
    """Applies the rule set in effect on 1 January of `year` to the previous year's `output`; the
    requirement rises to at least what the mine's restoration plan schedules up to `year`
    (足额提取). Posts an `accrual` transfer and, when deposits fall behind, publishes
    `restoration.fund.shortfall` with a deadline. One accrual per fund and year.
    """
    accrual = await service.accrue_fund(
        session=session, fund_id=fund_id, data=data, posted_by=caller.subject, now=clock.now()
    )
    response.headers["Location"] = f"/funds/{fund_id}/accruals"
    return accrual


@router.get(
    "/funds/{fund_id}/accruals", summary="A fund's accruals 基金提取记录", responses=NO_FUND
)
async def list_accruals(
    fund_id: UUID, session: Session, caller: Reader, page: Paging
) -> Page[AccrualPublic]:
    """Each year's accrual and its figures: rule amount, plan need, posted."""
    return await service.list_accruals(session=session, fund_id=fund_id, caller=caller, page=page)
