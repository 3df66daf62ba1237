"""HTTP for the bureau's annual reserve verifications: parse, authorize, call the service,
shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.deps import Bureau, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.reserve_checks import service
from rights_api.reserve_checks.schemas import (
    ReserveCheckFilters,
    ReserveCheckPublic,
    ReserveCheckRecord,
)

router = APIRouter(prefix="/reserve-checks", tags=["reserve checks 年度资源储量动态核查"])
Filters = Annotated[ReserveCheckFilters, Query()]
NOT_FOUND = {404: problem_doc("No such verification (or another holder's) 无此核查记录")}


@router.post(
    "",
    status_code=201,
    summary="Record an annual reserve verification 录入年度资源储量动态核查",
    responses={
        404: problem_doc("No such right 无此矿业权"),
        409: problem_doc("Already recorded for this right and year 该年度已核查"),
    },
)
async def record_check(
    data: ReserveCheckRecord, session: Session, caller: Bureau, response: Response
) -> ReserveCheckPublic:
    """The bureau's verification of a mine's year (第五章第二节: 组织专业人员进行矿山年度资源储量
    核查，考核矿山年度采掘计划执行和资源综合利用效果): the annual mining plan filed in December
    (linked, found by itself when omitted) against what was mined and whether inside the plan's
    working faces, the reported three rates (the right's utilisation report, linked), reserves
    consumed and left, the professionals who checked, the result (`fail` needs `remarks`). Meets the
    obligation the `reserve_check_obligations` job made (`late` when past its date), or creates
    the record when there was none; a second one for the right and year is 409. Publishes
    `rights.reserve_check.recorded` with the deadline met.
    """
    check = await service.record(session=session, data=data, caller=caller)
    return created(response, check, f"/reserve-checks/{check.id}")


@router.get("", summary="List annual reserve verifications 年度核查列表")
async def list_checks(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[ReserveCheckPublic]:
    """Obligations (`owed`, `overdue`) and records (`recorded`), in the order created; filter by
    right, year and status. Enterprises see their own mines' verifications.
    """
    return await service.list_checks(session=session, page=page, caller=caller, filters=filters)


@router.get(
    "/{check_id}", summary="An annual reserve verification 年度核查详情", responses=NOT_FOUND
)
async def get_check(
    check_id: UUID, session: Session, caller: Reader, response: Response
) -> ReserveCheckPublic:
    """Another holder's verification is 404."""
    return versioned(
        response, await service.show(session=session, check_id=check_id, caller=caller)
    )
