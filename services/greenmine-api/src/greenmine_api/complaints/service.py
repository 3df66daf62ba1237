"""Complaints from the public 社会举报: no account, size-limited, rate-limited per address."""

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

from servicekit.errors import Conflict, NotFound, ProblemError
from sqlalchemy import delete, text, tuple_
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.complaints.models import Complaint, PublicSubmission
from greenmine_api.dates import local_today
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import ListingStatus


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many submissions from this address"


def client_key(address: str) -> str:
    """Addresses are personal data: only a hash is stored (enough to count, not to publish)."""
    return hashlib.sha256(f"greenmine:public-submission:{address}".encode()).hexdigest()


async def admit(
    *, session: AsyncSession, address: str, kind: str, limit: int, window: timedelta, now: datetime
) -> None:
    """Count the address's submissions in the window, in the database (all replicas share it);
    a per-address advisory lock makes two simultaneous requests count one after the other."""
    key = client_key(address)
    await session.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))
    since = now - window
    count = await session.scalar(
        select(func.count()).where(PublicSubmission.client == key, PublicSubmission.at > since)
    )
    if count >= limit:
        oldest = await session.scalar(
            select(func.min(PublicSubmission.at)).where(
                PublicSubmission.client == key, PublicSubmission.at > since
            )
        )
        retry = max(1, int((oldest + window - now).total_seconds()))
        raise TooManyRequests(
            f"At most {limit} complaints or objections per {int(window.total_seconds() // 60)} "
            "minutes from one address.",
            headers={"Retry-After": str(retry)},
        )
    session.add(PublicSubmission(client=key, kind=kind, at=now))


async def file(
    *, session: AsyncSession, listing_id: UUID, content: str, contact: str | None
) -> Complaint:
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
    complaint = await session.get(Complaint, complaint_id, with_for_update=for_update)
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    return complaint


async def decide(
    *, session: AsyncSession, complaint: Complaint, substantiated: bool, note: str
) -> Complaint:
    """Verified by the bureau; a substantiated complaint opens the mine's rectification."""
    if complaint.status != "received":
        raise Conflict(f"The complaint is already {complaint.status}.")
    complaint.status = "substantiated" if substantiated else "unsubstantiated"
    complaint.decision_note, complaint.decided_at = note, datetime.now(UTC)
    listing = await listings.get(session, complaint.listing_id, for_update=True)
    today = local_today()
    await listings.note(
        session, listing, today, "complaint_" + complaint.status, complaint_id=str(complaint.id)
    )
    if substantiated and listing.status != ListingStatus.delisted:
        rect = await listings.order_rectification(
            session=session, listing=listing, reason="complaint", today=today, detail=note
        )
        complaint.rectification_id = rect.id
    session.add(complaint)
    await session.flush()
    return complaint


async def list_complaints(
    *, session: AsyncSession, limit: int, after: list | None, status: str | None
) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.filed_at, Complaint.id).limit(limit + 1)
    if status:
        query = query.where(Complaint.status == status)
    if after:
        query = query.where(
            tuple_(Complaint.filed_at, Complaint.id)
            > tuple_(datetime.fromisoformat(after[0]), UUID(after[1]))
        )
    return list((await session.exec(query)).all())


async def purge_submissions(session: AsyncSession, now: datetime) -> int:
    """Job: the rate limit needs only the last day of submissions."""
    result = await session.exec(
        delete(PublicSubmission).where(PublicSubmission.at < now - timedelta(days=1))
    )
    return result.rowcount
