"""HTTP for compliance orders: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from servicekit.deps import Bureau, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.compliance import service
from rights_api.compliance.schemas import OrderCreate, OrderFilters, OrderPublic, OrderResolve

router = APIRouter(prefix="/compliance-orders", tags=["compliance 限期整改"])
Filters = Annotated[OrderFilters, Query()]
NOT_FOUND = {404: problem_doc("No such order")}
CLOSED = {409: problem_doc("The mine is closed 矿山已关闭")}
RESOLVED = {**NOT_FOUND, 409: problem_doc("Already resolved 已整改")}


@router.post(
    "", status_code=201, summary="Issue a compliance order 下达限期整改通知", responses=CLOSED
)
async def issue_order(
    data: OrderCreate, session: Session, caller: Bureau, response: Response
) -> OrderPublic:
    """A reviewer orders the holder to fix a violation by `due_on` (a local date, after today) and
    publishes `rights.compliance.ordered` with the deadline (kind `rectification`). When the date
    passes unresolved the `compliance_overdue` job suspends the mine 停产整治 and publishes
    `rights.compliance.overdue`. Send an `Idempotency-Key` to make retries safe.
    """
    order = await service.issue(session=session, data=data, issuer=caller)
    return created(response, order, f"/compliance-orders/{order.id}")


@router.get("", summary="List compliance orders 整改通知列表")
async def list_orders(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[OrderPublic]:
    """In the order issued. Enterprises see only orders about their own mines."""
    return await service.list_orders(session=session, page=page, caller=caller, filters=filters)


@router.get("/{order_id}", summary="A compliance order 整改通知详情", responses=NOT_FOUND)
async def get_order(
    order_id: UUID, session: Session, caller: Reader, response: Response
) -> OrderPublic:
    """Enterprises get 404 for another holder's orders."""
    return versioned(
        response, await service.show(session=session, order_id=order_id, caller=caller)
    )


@router.post(
    "/{order_id}/resolve", summary="Resolve a compliance order 确认整改完成", responses=RESOLVED
)
async def resolve_order(
    order_id: UUID, data: OrderResolve, session: Session, caller: Bureau, response: Response
) -> OrderPublic:
    """Closes the order (open or overdue) and publishes `rights.compliance.resolved` with the
    deadline met. If this order's overdue suspended the mine, the mine returns to the status it
    had (unless `resume_mine` is false, or another overdue order still holds it suspended).
    """
    order = await service.resolve(session=session, order_id=order_id, data=data, actor=caller)
    return versioned(response, order)
