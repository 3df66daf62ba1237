"""HTTP for rights holders: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.concurrency import IfMatch
from servicekit.deps import Bureau, BureauOrHolder, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.holders import service
from rights_api.holders.schemas import HolderCreate, HolderPublic, HolderUpdate

router = APIRouter(prefix="/holders", tags=["holders 矿业权人"])
TAKEN = {409: problem_doc("Credit code already registered 代码已登记")}
NOT_FOUND = {404: problem_doc("No such holder")}
UPDATE_RESPONSES = {
    **NOT_FOUND,
    412: problem_doc("Changed since you read it"),
    428: problem_doc("If-Match missing"),
}


@router.post("", status_code=201, summary="Register a rights holder 登记矿业权人", responses=TAKEN)
async def register_holder(
    data: HolderCreate, session: Session, _: Bureau, response: Response
) -> HolderPublic:
    """Registers an enterprise by its unified social credit code and publishes
    `rights.holder.registered`. Send an `Idempotency-Key` to make retries safe.
    """
    holder = HolderPublic.model_validate(await service.register(session=session, data=data))
    return created(response, holder, f"/holders/{holder.id}")


@router.get("", summary="List rights holders 矿业权人列表")
async def list_holders(
    session: Session,
    caller: Reader,
    page: Paging,
    name: str | None = None,
    credit_code: Annotated[
        str | None,
        Query(max_length=18, description="Only the holder with this credit code 统一社会信用代码"),
    ] = None,
) -> Page[HolderPublic]:
    """Enterprises see only their own holder."""
    rows = await service.list_holders(
        session=session, page=page, caller=caller, name=name, credit_code=credit_code
    )
    return rows.with_items([HolderPublic.model_validate(r) for r in rows.items])


@router.get("/{holder_id}", summary="A rights holder 矿业权人详情", responses=NOT_FOUND)
async def get_holder(
    holder_id: UUID, session: Session, caller: Reader, response: Response
) -> HolderPublic:
    holder = await service.get(session=session, holder_id=holder_id, caller=caller)
    return versioned(response, HolderPublic.model_validate(holder))


@router.patch(
    "/{holder_id}", summary="Change a holder's details 变更信息", responses=UPDATE_RESPONSES
)
async def update_holder(
    holder_id: UUID,
    changes: HolderUpdate,
    session: Session,
    caller: BureauOrHolder,
    response: Response,
    if_match: IfMatch,
) -> HolderPublic:
    """Send `If-Match` with the ETag you read; a stale copy gets 412."""
    holder = await service.update(
        session=session, holder_id=holder_id, changes=changes, caller=caller, if_match=if_match
    )
    return versioned(response, HolderPublic.model_validate(holder))
