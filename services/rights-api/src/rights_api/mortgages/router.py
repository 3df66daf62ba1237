"""HTTP for mortgages of a right: parse, authorize, call the service, shape the response."""

from uuid import UUID

from fastapi import APIRouter, Response
from servicekit.deps import Bureau, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import versioned
from rights_api.mortgages import service
from rights_api.mortgages.schemas import MortgagePublic, MortgageRelease

router = APIRouter(tags=["rights 矿业权"])
NOT_FOUND = {404: problem_doc("No such right or mortgage, or not yours 无此矿业权或抵押")}


@router.get(
    "/rights/{right_id}/mortgages",
    summary="A right's mortgages 采矿权抵押备案",
    responses=NOT_FOUND,
)
async def list_mortgages(
    right_id: UUID, session: Session, caller: Reader, page: Paging
) -> Page[MortgagePublic]:
    """Every mortgage filed on the right (approved `mortgage_filing` applications), oldest first,
    released or not. Enterprises see only their own rights' mortgages (404 otherwise).
    """
    return await service.list_mortgages(
        session=session, right_id=right_id, caller=caller, page=page
    )


@router.post(
    "/rights/{right_id}/mortgages/{mortgage_id}/release",
    summary="Release a mortgage 采矿权抵押解除",
    responses={**NOT_FOUND, 409: problem_doc("Already released 已解除")},
)
async def release_mortgage(
    right_id: UUID,
    mortgage_id: UUID,
    data: MortgageRelease,
    session: Session,
    caller: Bureau,
    response: Response,
) -> MortgagePublic:
    """The city bureau records the release of a filed mortgage (第五章第二节: 采矿权转让和抵押备案
    由市自然资源行政管理部门统一办理), usually on the mortgagee's discharge. The right gets a
    history line and a new version, and `rights.mortgage.released` is published. Until every
    mortgage of a right is released, a transfer application is refused with the violation
    `mortgaged`. A second release is 409.
    """
    mortgage = await service.release(
        session=session,
        right_id=right_id,
        mortgage_id=mortgage_id,
        caller=caller,
        reason=data.reason,
    )
    return versioned(response, mortgage)
