"""HTTP for restoration plans and the annual obligations."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit import clock
from servicekit.deps import BureauOrHolder, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.plans import service
from restoration_api.plans.schemas import ObligationPublic, ObligationSubmit, PlanCreate, PlanPublic
from restoration_api.rights import Listing, MineFilters, MineStatusFilters

router = APIRouter(tags=["plans 治理方案与年度报送"])
NO_MINE = {404: problem_doc("No such mine (or not yours)")}
NO_OBLIGATION = {404: problem_doc("No such obligation (or not yours)")}
NO_PLAN = {404: problem_doc("No such plan")}


@router.post(
    "/plans", status_code=201, summary="File a restoration plan 报送治理方案", responses=NO_MINE
)
async def create_plan(
    data: PlanCreate, session: Session, caller: BureauOrHolder, response: Response
) -> PlanPublic:
    """The mine's protection-and-land-reclamation plan 矿山地质环境保护与土地复垦方案 (estimated
    cost, area, yearly schedule; its schedule is the floor of the fund's accrual) or, for a
    closure case, the closure restoration plan 闭坑矿山环境恢复治理方案 (第六章第二节二、三).
    Enterprises file for their own mines only.
    """
    plan = await service.create_plan(session=session, data=data, caller=caller, now=clock.now())
    response.headers["Location"] = f"/plans/{plan.id}"
    return plan


@router.get("/plans", summary="List restoration plans 治理方案列表")
async def list_plans(rows: Listing, filters: Annotated[MineFilters, Query()]) -> Page[PlanPublic]:
    """Plans of all mines or of one (`right_id`); enterprises see their own."""
    return await service.list_plans(rows, filters)


@router.get("/plans/{plan_id}", summary="A restoration plan 治理方案详情", responses=NO_PLAN)
async def get_plan(plan_id: UUID, session: Session, caller: Reader) -> PlanPublic:
    """One plan with its yearly schedule (cost in yuan, area in hectares)."""
    return await service.get_plan(session=session, plan_id=plan_id, caller=caller)


@router.get("/obligations", summary="Annual restoration obligations 年度治理计划书与年度报告")
async def list_obligations(
    rows: Listing, filters: Annotated[MineStatusFilters, Query()]
) -> Page[ObligationPublic]:
    """Created each year by the `annual_obligations` job for every active mine; `status` is due,
    submitted or overdue.
    """
    return await service.list_obligations(rows, filters)


@router.post(
    "/obligations/{obligation_id}/submit",
    summary="Submit an annual plan or report 报送年度材料",
    responses={**NO_OBLIGATION, 409: problem_doc("Already submitted")},
)
async def submit_obligation(
    obligation_id: UUID, data: ObligationSubmit, session: Session, caller: BureauOrHolder
) -> ObligationPublic:
    """Publishes `restoration.obligation.submitted` with the deadline met."""
    return await service.submit(
        session=session, obligation_id=obligation_id, data=data, caller=caller
    )
