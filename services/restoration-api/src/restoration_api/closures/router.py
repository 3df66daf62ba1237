"""HTTP for closure cases."""

from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.closures import service
from restoration_api.closures.schemas import ClosureCasePublic

router = APIRouter(tags=["works 治理工程与验收"])


@router.get("/closure-cases", summary="Closure cases 闭坑治理案件")
async def list_closure_cases(
    session: Session,
    caller: Reader,
    page: Paging,
    right_id: UUID | None = None,
    status: str | None = None,
) -> Page[ClosureCasePublic]:
    """Opened when rights-api files a closure application (`rights.application.filed`, kind
    closure); decided by a closure acceptance.
    """
    rows = await service.list_closure_cases(
        session=session, caller=caller, page=page, right_id=right_id, status=status
    )
    return rows.with_items([await service.closure_case_public(session, c) for c in rows.items])


@router.get(
    "/closure-cases/{case_id}",
    summary="A closure case 闭坑治理案件详情",
    responses={404: problem_doc("No such case")},
)
async def get_closure_case(case_id: UUID, session: Session, caller: Reader) -> ClosureCasePublic:
    """The case, its closure plan (when filed) and the deciding acceptance."""
    case_ = await service.get_closure_case(session=session, case_id=case_id, caller=caller)
    return await service.closure_case_public(session, case_)
