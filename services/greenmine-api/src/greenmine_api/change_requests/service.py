"""Change requests: the holder asks, the bureau decides; an approved change applies to the
listing and enters its history."""

from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.change_requests.models import ChangeRequest
from greenmine_api.change_requests.schemas import ChangeRequestCreate, Decision
from greenmine_api.listings import service as listings
from greenmine_api.queries import save


async def request_change(
    *, session: AsyncSession, listing_id: UUID, caller: Principal, data: ChangeRequestCreate
) -> ChangeRequest:
    listing = await listings.get(session, listing_id, caller=caller)
    listings.ensure_on_list(listing)
    request = ChangeRequest(
        listing_id=listing.id,
        holder_id=listing.holder_id,
        changes=data.changes.model_dump(exclude_unset=True),
        reason=data.reason,
        status="pending",
    )
    await save(session, request)
    await listings.note(
        session, listing, clock.local_today(), "change_requested", change_request_id=str(request.id)
    )
    return request


async def list_requests(
    *, session: AsyncSession, caller: Principal, page: PageParams
) -> Page[ChangeRequest]:
    """The bureau sees all; an enterprise its own."""
    query = select(ChangeRequest)
    if caller.own_holder is not None:
        query = query.where(ChangeRequest.holder_id == caller.own_holder)
    return await paginate(session, query, page, order=(ChangeRequest.filed_at, ChangeRequest.id))


async def decide(*, session: AsyncSession, request_id: UUID, data: Decision) -> ChangeRequest:
    request = await get_or_404(
        session, ChangeRequest, request_id, what="change request", for_update=True
    )
    if request.status != "pending":
        raise Conflict(f"The change request is already {request.status}.")
    listing = await listings.get(session, request.listing_id, for_update=True)
    request.status = "approved" if data.approve else "rejected"
    request.decision_note = data.note
    request.decided_at = clock.now()
    session.add(request)
    if data.approve:
        await listings.change_information(
            session=session,
            listing=listing,
            changes=request.changes,
            today=clock.local_today(),
            change_request_id=str(request.id),
        )
    await session.flush()
    return request
