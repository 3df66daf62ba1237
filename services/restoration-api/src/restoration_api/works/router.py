"""HTTP for restoration works, acceptance inspections, closure cases and the land balance."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response, status
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.errors import PROBLEM_RESPONSES, NotFound, problem_doc
from servicekit.pagination import Page, PageParams, page_of, page_params
from servicekit.unit_of_work import get_session
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.works import service
from restoration_api.works.models import ClosureCase
from restoration_api.works.schemas import (
    AcceptanceCreate,
    AcceptancePublic,
    ClosureCasePublic,
    LandBalancePublic,
    LandBalanceSet,
    LandBalanceYear,
    WorkCreate,
    WorkPublic,
)

router = APIRouter(tags=["works 治理工程与验收"])
Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[
    Principal, Depends(require(*BUREAU, Role.inspector, Role.gov_system, Role.enterprise))
]
Holder = Annotated[Principal, Depends(require(*BUREAU, Role.enterprise))]
Inspector = Annotated[Principal, Depends(require(*BUREAU, Role.inspector))]
Year = Annotated[int, Path(ge=2000, le=2100, examples=[2026])]


@router.post(
    "/works",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkPublic,
    summary="Register a restoration work 登记治理工程",
    description="A work item of a mine (paid by expenditures from its fund) or of a legacy site "
    "(paid from a program fund). Enterprises register works of their own mines.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such mine (or not yours)")},
)
async def create_work(
    data: WorkCreate, session: Session, caller: Holder, response: Response
) -> WorkPublic:
    work = await service.create_work(session=session, data=data, caller=caller)
    response.headers["Location"] = f"/works/{work.id}"
    return await service.work_public(session, work)


@router.get(
    "/works",
    response_model=Page[WorkPublic],
    summary="List restoration works 治理工程列表",
    description="Works of a mine or of a legacy site, with the money spent on each.",
    responses=PROBLEM_RESPONSES,
)
async def list_works(
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    right_id: UUID | None = None,
    legacy_site_id: UUID | None = None,
) -> Page[WorkPublic]:
    rows = await service.list_works(
        session=session,
        caller=caller,
        page=page,
        right_id=right_id,
        legacy_site_id=legacy_site_id,
    )
    return rows.with_items([await service.work_public(session, w) for w in rows.items])


@router.get(
    "/works/{work_id}",
    response_model=WorkPublic,
    summary="A restoration work 治理工程详情",
    description="One work, with the expenditures posted against it net of reversals.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such work")},
)
async def get_work(work_id: UUID, session: Session, caller: Reader) -> WorkPublic:
    work = await service.get_work(session=session, work_id=work_id, caller=caller)
    return await service.work_public(session, work)


@router.post(
    "/acceptances",
    status_code=status.HTTP_201_CREATED,
    response_model=AcceptancePublic,
    summary="Record an acceptance inspection 验收",
    description="Passed or failed, with the accepted area. For a mine it publishes "
    "`restoration.acceptance.passed` or `…failed` (with the reasons). With `closure: true` it "
    "decides the mine's open closure case, which needs the closure restoration plan first; a "
    "pass then carries `closure: true`, the case and the rights-api application id, which "
    "lets rights-api approve the closure (第六章第二节三).",
    responses={
        **PROBLEM_RESPONSES,
        404: problem_doc("No such mine"),
        409: problem_doc("Closure plan missing 未报送闭坑治理方案"),
    },
)
async def record_acceptance(
    data: AcceptanceCreate, session: Session, caller: Inspector, response: Response
) -> AcceptancePublic:
    acceptance = await service.record_acceptance(
        session=session, data=data, caller=caller, now=datetime.now(UTC)
    )
    response.headers["Location"] = f"/acceptances/{acceptance.id}"
    return AcceptancePublic.model_validate(acceptance, from_attributes=True)


@router.get(
    "/acceptances",
    response_model=Page[AcceptancePublic],
    summary="List acceptance inspections 验收记录",
    description="Inspections of a mine or of a legacy site, passed or failed with reasons.",
    responses=PROBLEM_RESPONSES,
)
async def list_acceptances(
    session: Session,
    caller: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    right_id: UUID | None = None,
    legacy_site_id: UUID | None = None,
) -> Page[AcceptancePublic]:
    rows = await service.list_acceptances(
        session=session,
        caller=caller,
        page=page,
        right_id=right_id,
        legacy_site_id=legacy_site_id,
    )
    return page_of(
        [AcceptancePublic.model_validate(a, from_attributes=True) for a in rows],
        page,
        lambda a: [a.inspected_on.isoformat(), str(a.id)],
    )


@router.get(
    "/closure-cases",
    response_model=list[ClosureCasePublic],
    summary="Closure cases 闭坑治理案件",
    description="Opened when rights-api files a closure application (`rights.application.filed`"
    ", kind closure); decided by a closure acceptance.",
    responses=PROBLEM_RESPONSES,
)
async def list_closure_cases(
    session: Session,
    caller: Reader,
    right_id: UUID | None = None,
    status: str | None = None,
) -> list[ClosureCasePublic]:
    rows = await service.list_closure_cases(
        session=session, caller=caller, right_id=right_id, status=status
    )
    return [await service.closure_case_public(session, c) for c in rows]


@router.get(
    "/closure-cases/{case_id}",
    response_model=ClosureCasePublic,
    summary="A closure case 闭坑治理案件详情",
    description="The case, its closure plan (when filed) and the deciding acceptance.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such case")},
)
async def get_closure_case(case_id: UUID, session: Session, caller: Reader) -> ClosureCasePublic:
    case_ = await session.get(ClosureCase, case_id)
    if case_ is None or (
        caller.own_holder is not None and str(case_.holder_id) != caller.own_holder
    ):
        raise NotFound(f"No closure case {case_id}.")
    return await service.closure_case_public(session, case_)


@router.put(
    "/land-balance/{right_id}/{year}",
    response_model=LandBalancePublic,
    summary="Report land occupied and restored 土地占用与治理面积",
    description="One row per mine and year; reporting again replaces it.",
    responses={**PROBLEM_RESPONSES, 404: problem_doc("No such mine (or not yours)")},
)
async def set_land_balance(
    right_id: UUID, year: Year, data: LandBalanceSet, session: Session, caller: Holder
) -> LandBalancePublic:
    row = await service.set_land_balance(
        session=session, right_id=right_id, year=year, data=data, caller=caller
    )
    [item] = [
        i
        for i in (await service.land_balance_year(session=session, year=year, caller=caller)).mines
        if i.right_id == row.right_id
    ]
    return item


@router.get(
    "/land-balance/{year}",
    response_model=LandBalanceYear,
    summary="Dynamic balance and restoration rate 动态平衡与应治尽治率",
    description="Per mine and in total: land occupied vs restored in the year, and the "
    "restoration rate 应治尽治率 (target 100 %, 专栏二).",
    responses=PROBLEM_RESPONSES,
)
async def land_balance(year: Year, session: Session, caller: Reader) -> LandBalanceYear:
    return await service.land_balance_year(session=session, year=year, caller=caller)
