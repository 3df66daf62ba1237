"""The three-yearly review 三年复查 (its application is an application of kind review; its
date lives on the listing): a review application not filed by its date is reported overdue,
and a review date passed with no review under way removes the mine (未按期复查)."""

from datetime import datetime

from servicekit import clock
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications import service as applications
from greenmine_api.calendar_months import add_months
from greenmine_api.editions import service as editions
from greenmine_api.exits import service as exits
from greenmine_api.listings import service as listings


async def mark_overdue_reviews(session: AsyncSession, now: datetime) -> int:
    """Job: the deadline's owner says a review application is overdue (once per cycle); a
    review date passed removes the mine."""
    today = clock.local_today(now)
    edition = await editions.active(session)
    candidates = await listings.due_for_review(
        session,
        by=add_months(today, edition.review_application_lead_months),
        skip=applications.open_reviews(),
    )
    handled = 0
    for listing in candidates:
        if listing.next_review_due < today:
            await exits.delist(
                session=session, listing=listing, reason="review_overdue", today=today
            )
            handled += 1
        elif await listings.review_application_overdue(
            session=session, listing=listing, edition=edition, today=today
        ):
            handled += 1
    return handled
