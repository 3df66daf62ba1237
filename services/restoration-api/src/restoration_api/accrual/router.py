"""HTTP for accrual rule sets and yearly accruals."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.unit_of_work import get_session
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.accrual import service
from restoration_api.accrual.models import RuleSet
from restoration_api.accrual.schemas import (
    AccrualCreate,
    AccrualPublic,
    RuleSetCreate,
    RuleSetPublic,
)
from restoration_api.ledger import service as ledger

router = APIRouter(tags=["accrual 基金提取"])
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[
    Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system, Role.enterprise))
]
Admin = Annotated[Principal, Depends(require(Role.bureau_admin))]
Poster = Annotated[Principal, Depends(require(Role.bureau_admin, Role.gov_system))]


@router.post(
    "/accrual-rule-sets",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleSetPublic,
    summary="Load an accrual rule set 导入基金提取标准",
    description="Coefficient tables for one effective period: base rate per mineral (yuan per "
    "unit of output), mining-method, land-type and region factors. Periods may not overlap. "
    "The shipped `illustrative-2021` set is an example, not the region's official figures.",
    responses={**PROBLEM_RESPONSES, 409: problem_doc("Code taken or period overlaps")},
)
async def load_rule_set(
    data: RuleSetCreate, session: Session, _: Admin, response: Response
) -> RuleSetPublic:
    rules = await service.load_rule_set(session=session, data=data, now=datetime.now(UTC))
    response.headers["Location"] = f"/accrual-rule-sets/{rules.id}"
    return RuleSetPublic.model_validate(rules, from_attributes=True)


@router.get(
    "/accrual-rule-sets",
    response_model=list[RuleSetPublic],
    summary="Accrual rule sets 基金提取标准列表",
    description="All loaded rule sets by effective period; `illustrative` marks example figures.",
    responses=PROBLEM_RESPONSES,
)
async def list_rule_sets(session: Session, _: Reader) -> list[RuleSetPublic]:
    rows = (await session.exec(select(RuleSet).order_by(RuleSet.effective_from))).all()
    return [RuleSetPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/accrual-rule-sets/{rule_set_id}",
    response_model=RuleSetPublic,
    summary="An accrual rule set 基金提取标准详情",
    description="One rule set with its coefficient tables.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such rule set")},
)
async def get_rule_set(rule_set_id: UUID, session: Session, _: Reader) -> RuleSetPublic:
    rules = await service.get_rule_set(session=session, rule_set_id=rule_set_id)
    return RuleSetPublic.model_validate(rules, from_attributes=True)


@router.post(
    "/funds/{fund_id}/accruals",
    status_code=status.HTTP_201_CREATED,
    response_model=AccrualPublic,
    summary="Accrue a year 年度基金提取",
    description="Applies the rule set in effect on 1 January of `year` to the previous year's "
    "`output`; the requirement rises to at least what the mine's restoration plan schedules "
    "up to `year` (足额提取). Posts an `accrual` transfer and, when deposits fall behind, "
    "publishes `restoration.fund.shortfall` with a deadline. One accrual per fund and year.",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such fund"),
        409: problem_doc("Already accrued for the year, or fund closed"),
    },
)
async def accrue(
    fund_id: UUID, data: AccrualCreate, session: Session, caller: Poster, response: Response
) -> AccrualPublic:
    fund = await ledger.get_fund(session=session, fund_id=fund_id)
    accrual = await service.accrue(
        session=session, fund=fund, data=data, posted_by=caller.subject, now=datetime.now(UTC)
    )
    response.headers["Location"] = f"/funds/{fund_id}/accruals"
    return await service.accrual_public(session, accrual)


@router.get(
    "/funds/{fund_id}/accruals",
    response_model=list[AccrualPublic],
    summary="A fund's accruals 基金提取记录",
    description="Each year's accrual and its figures: rule amount, plan need, posted.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such fund (or not yours)")},
)
async def list_accruals(fund_id: UUID, session: Session, caller: Reader) -> list[AccrualPublic]:
    fund = await ledger.get_fund(session=session, fund_id=fund_id, caller=caller)
    rows = await service.list_accruals(session=session, fund=fund)
    return [await service.accrual_public(session, a) for a in rows]
