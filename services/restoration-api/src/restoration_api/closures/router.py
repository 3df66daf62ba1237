"""HTTP for closure cases."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from servicekit.deps import Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.closures import service
from restoration_api.closures.schemas import ClosureCasePublic
from restoration_api.rights import Listing, MineStatusFilters

router = APIRouter(tags=["works 治理工程与验收"])
NO_CASE = {404: problem_doc("No such case")}


@router.get("/closure-cases", summary="Closure cases 闭坑治理案件")
async def list_closure_cases(
    rows: Listing, filters: Annotated[MineStatusFilters, Query()]
) -> Page[ClosureCasePublic]:
    """Opened when rights-api files a closure application (`rights.application.filed`, kind
    closure; `cause: application`) or the bureau ends a right (`rights.right.revoked`,
    `…policy_closed`, `…expired`; `cause` names which); decided by a closure acceptance.
    """
    return await service.list_closure_cases(rows, filters)


@router.get(
    "/closure-cases/{case_id}", summary="A closure case 闭坑治理案件详情", responses=NO_CASE
)
async def get_closure_case(case_id: UUID, session: Session, caller: Reader) -> ClosureCasePublic:
    """The case, its closure plan (when filed) and the deciding acceptance."""
    return await service.get_closure_case(session=session, case_id=case_id, caller=caller)
