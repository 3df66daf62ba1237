"""Complaints from the public 社会举报: no account, size-limited, rate-limited per address;
the bureau verifies, and a substantiated complaint opens the mine's rectification."""

from uuid import UUID

from servicekit import clock
from servicekit.errors import Conflict
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.complaints.models import Complaint
from greenmine_api.complaints.schemas import ComplaintCreate, ComplaintDecision, ComplaintFilters
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import ListingStatus
from greenmine_api.queries import save
from greenmine_api.rectifications import service as rectifications
from greenmine_api.settings import GreenmineSettings
from greenmine_api.submissions import service as submissions


async def file(
    *, session: AsyncSession, data: ComplaintCreate, address: str, settings: GreenmineSettings
) -> Complaint:
    """Anyone, about a mine on the list; counted against the address's limit first."""
    await submissions.admit(session=session, address=address, kind="complaint", settings=settings)
    listing = await listings.get(session, data.listing_id)
    if listing.status == ListingStatus.delisted:
        raise Conflict("The mine is no longer on the list.")
    return await save(session, Complaint(**data.model_dump(), status="received"))


async def get(*, session: AsyncSession, complaint_id: UUID, for_update: bool = False) -> Complaint:
    return await get_or_404(
        session, Complaint, complaint_id, what="complaint", for_update=for_update
    )


async def decide(
    *, session: AsyncSession, complaint_id: UUID, data: ComplaintDecision
) -> Complaint:
    """Verified by the bureau; a substantiated complaint opens the mine's rectification."""
    complaint = await get(session=session, complaint_id=complaint_id, for_update=True)
    if complaint.status != "received":
        raise Conflict(f"The complaint is already {complaint.status}.")
    complaint.status = "substantiated" if data.substantiated else "unsubstantiated"
    complaint.decision_note, complaint.decided_at = data.note, clock.now()
    listing = await listings.get(session, complaint.listing_id, for_update=True)
    today = clock.local_today()
    await listings.note(
        session, listing, today, "complaint_" + complaint.status, complaint_id=str(complaint.id)
    )
    if data.substantiated and listing.status != ListingStatus.delisted:
        rect = await rectifications.order(
            session=session, listing=listing, reason="complaint", today=today, detail=data.note
        )
        complaint.rectification_id = rect.id
    return await save(session, complaint)


async def list_complaints(
    *, session: AsyncSession, page: PageParams, filters: ComplaintFilters
) -> Page[Complaint]:
    query = select(Complaint)
    if filters.status:
        query = query.where(Complaint.status == filters.status)
    return await paginate(session, query, page, order=(Complaint.filed_at, Complaint.id))
