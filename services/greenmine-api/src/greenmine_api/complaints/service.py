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
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import ListingStatus
from greenmine_api.rectifications import service as rectifications
from greenmine_api.settings import GreenmineSettings
from greenmine_api.submissions import service as submissions


async def file(
    *,
    session: AsyncSession,
    listing_id: UUID,
    content: str,
    contact: str | None,
    address: str,
    settings: GreenmineSettings,
) -> Complaint:
    """Anyone, about a mine on the list; counted against the address's limit first."""
    await submissions.admit(session=session, address=address, kind="complaint", settings=settings)
    listing = await listings.get(session, listing_id)
    if listing.status == ListingStatus.delisted:
        raise Conflict("The mine is no longer on the list.")
    complaint = Complaint(
        listing_id=listing.id, content=content, contact=contact, status="received"
    )
    session.add(complaint)
    await session.flush()
    return complaint


async def get(*, session: AsyncSession, complaint_id: UUID, for_update: bool = False) -> Complaint:
    return await get_or_404(
        session, Complaint, complaint_id, what="complaint", for_update=for_update
    )


async def decide(
    *, session: AsyncSession, complaint_id: UUID, substantiated: bool, note: str
) -> Complaint:
    """Verified by the bureau; a substantiated complaint opens the mine's rectification."""
    complaint = await get(session=session, complaint_id=complaint_id, for_update=True)
    if complaint.status != "received":
        raise Conflict(f"The complaint is already {complaint.status}.")
    complaint.status = "substantiated" if substantiated else "unsubstantiated"
    complaint.decision_note, complaint.decided_at = note, clock.now()
    listing = await listings.get(session, complaint.listing_id, for_update=True)
    today = clock.local_today()
    await listings.note(
        session, listing, today, "complaint_" + complaint.status, complaint_id=str(complaint.id)
    )
    if substantiated and listing.status != ListingStatus.delisted:
        rect = await rectifications.order(
            session=session, listing=listing, reason="complaint", today=today, detail=note
        )
        complaint.rectification_id = rect.id
    session.add(complaint)
    await session.flush()
    return complaint


async def list_complaints(
    *, session: AsyncSession, page: PageParams, status: str | None
) -> Page[Complaint]:
    query = select(Complaint)
    if status:
        query = query.where(Complaint.status == status)
    return await paginate(session, query, page, order=(Complaint.filed_at, Complaint.id))
