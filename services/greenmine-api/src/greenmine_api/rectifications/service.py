"""Rectification cases 限期整改: ordered for N months with the mine's benefits suspended,
verified by the bureau (passed: a re-listing publicity opens), or overdue. Removal after a
failed or overdue case is an exit (greenmine_api.exits)."""

from datetime import date
from typing import Any
from uuid import UUID

from contracts.base import EventPayload
from contracts.deadline import Deadline, DeadlineAction
from contracts.greenmine import (
    BenefitsSuspended,
    GreenRectificationOrdered,
    GreenRectificationOverdue,
    GreenRectificationResolved,
)
from servicekit.auth import Principal
from servicekit.errors import Conflict
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.calendar_months import add_months
from greenmine_api.editions import service as editions
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import Listing
from greenmine_api.publicity import service as publicity
from greenmine_api.publicity.models import Publicity
from greenmine_api.queries import fetch_all
from greenmine_api.rectifications.models import Rectification
from greenmine_api.rectifications.schemas import RectificationFilters


async def order(
    *, session: AsyncSession, listing: Listing, reason: str, today: date, detail: str | None = None
) -> Rectification:
    """限期整改 for N months, benefits suspended. A mine already rectifying keeps its case."""
    listings.ensure_on_list(listing)
    current = await open_for_listing(session, listing.id)
    if current is not None:
        await listings.note(
            session, listing, today, "rectification_reason_added", reason=reason, detail=detail
        )
        return current
    edition = await editions.active(session)
    rect = Rectification(
        **listings.keys(listing),
        reason=reason,
        detail=detail,
        ordered_on=today,
        due_on=add_months(today, edition.rectification_months),
        status="open",
    )
    session.add(rect)
    await listings.suspend(session, listing)
    await session.flush()
    await listings.note(
        session,
        listing,
        today,
        "rectification_ordered",
        reason=reason,
        due_on=rect.due_on.isoformat(),
        rectification_id=str(rect.id),
    )
    await _announce(session, rect, listing, GreenRectificationOrdered, reason=reason)
    await listings.announce(session, listing, BenefitsSuspended, reason=reason, suspended_on=today)
    return rect


async def order_if_listed(
    *, session: AsyncSession, right_id: UUID, reason: str, today: date, detail: str
) -> Rectification | None:
    """A case for the mine if it is on the list (nothing otherwise)."""
    listing = await listings.active_for_right(session, right_id)
    if listing is None:
        return None
    return await order(session=session, listing=listing, reason=reason, today=today, detail=detail)


def _open_cases(listing_id: UUID):
    return select(Rectification).where(
        Rectification.listing_id == listing_id, Rectification.status == "open"
    )


async def open_for_listing(session: AsyncSession, listing_id: UUID) -> Rectification | None:
    return (await session.exec(_open_cases(listing_id))).first()


async def close_open(session: AsyncSession, *, listing_id: UUID, today: date) -> None:
    """The mine left the list: its open cases end with it."""
    for rect in (await session.exec(_open_cases(listing_id))).all():
        rect.status, rect.decided_on = "closed", today
        session.add(rect)


async def _announce(
    session: AsyncSession,
    rect: Rectification,
    listing: Listing,
    event: type[EventPayload],
    action=DeadlineAction.set,
    **fields: Any,
) -> None:
    """Publish ``event`` about the case, with its deadline in the state ``action`` names."""
    await listings.announce(
        session,
        listing,
        event,
        rectification_id=rect.id,
        deadline=deadline(rect, listing, action),
        **fields,
    )


def deadline(rect: Rectification, listing: Listing, action=DeadlineAction.set) -> Deadline:
    return listings.deadline(
        listing,
        id=f"greenmine-rectification:{rect.id}",
        kind="green_mine_rectification",
        action=action,
        due_at=rect.due_on,
        title_zh=f"{listing.mine_name}绿色矿山限期整改",
    )


async def get(session: AsyncSession, rect_id: UUID, *, for_update: bool = True) -> Rectification:
    return await get_or_404(
        session, Rectification, rect_id, what="rectification", for_update=for_update
    )


async def list_rectifications(
    *, session: AsyncSession, caller: Principal, page: PageParams, filters: RectificationFilters
) -> Page[Rectification]:
    query = select(Rectification)
    if caller.own_holder is not None:
        query = query.where(Rectification.holder_id == caller.own_holder)
    if filters.status:
        query = query.where(Rectification.status == filters.status)
    return await paginate(session, query, page, order=(Rectification.ordered_on, Rectification.id))


async def for_listing(session: AsyncSession, listing_id: UUID) -> list[Rectification]:
    query = select(Rectification).where(Rectification.listing_id == listing_id)
    return await fetch_all(session, query.order_by(Rectification.ordered_on))


async def record_verdict(
    *,
    session: AsyncSession,
    rect: Rectification,
    passed: bool,
    note_text: str,
    today: date,
    publicity_starts_on: date | None = None,
) -> tuple[Listing, Publicity | None]:
    """The bureau's verification 整改复核: passed opens the re-listing publicity (returned);
    failed leaves the removal to the caller."""
    if rect.status != "open":
        raise Conflict(f"The rectification is already {rect.status}.")
    listing = await listings.get(session, rect.listing_id, for_update=True)
    rect.status = "passed" if passed else "failed"
    rect.decision_note, rect.decided_on = note_text, today
    session.add(rect)
    await _announce(
        session, rect, listing, GreenRectificationResolved, DeadlineAction.met, passed=passed
    )
    await listings.note(
        session,
        listing,
        today,
        "rectification_" + rect.status,
        rectification_id=str(rect.id),
        note=note_text,
    )
    if not passed:
        return listing, None
    pub = await publicity.open(
        session=session,
        kind="relisting",
        mine=listing,
        starts_on=publicity_starts_on or today,
        rectification_id=rect.id,
    )
    return listing, pub


async def overdue_cases(session: AsyncSession, *, today: date) -> list[Rectification]:
    """Open cases past their date (rows locked elsewhere skipped)."""
    query = select(Rectification).where(
        Rectification.status == "open", Rectification.due_on < today
    )
    return await fetch_all(session, query.with_for_update(skip_locked=True))


async def mark_overdue(*, session: AsyncSession, rect: Rectification, today: date) -> Listing:
    """The case is overdue (the owner's overdue event published); the listing returned is to
    be removed (逾期未整改)."""
    listing = await listings.get(session, rect.listing_id, for_update=True)
    rect.status, rect.decided_on = "overdue", today
    session.add(rect)
    await _announce(session, rect, listing, GreenRectificationOverdue, DeadlineAction.overdue)
    return listing
