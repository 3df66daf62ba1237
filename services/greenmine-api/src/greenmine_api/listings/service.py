"""Life on the list (规划第六章第一节): a mine listed from its entry date, its three-yearly
review date, its status (listed, rectifying with benefits suspended, delisted) and history.
Other areas change a listing only through these functions. Functions never commit; every
change and its event share the caller's transaction."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.base import EventPayload
from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.figures import Direction, EvaluationFigures, Figure, FigureRecord
from contracts.greenmine import BenefitsRestored, MineListed, ReviewDue
from mining_rights import MiningRight
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict
from servicekit.events.outbox import publish
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.calendar_months import add_months
from greenmine_api.editions import service as editions
from greenmine_api.editions.models import Edition
from greenmine_api.listings.models import HistoryEntry, Listing, ListingStatus
from greenmine_api.listings.schemas import ListingFilters
from greenmine_api.queries import fetch_all, save


async def note(session: AsyncSession, listing: Listing, on: date, action: str, **detail) -> None:
    session.add(HistoryEntry(listing_id=listing.id, on=on, action=action, detail=detail))


def touch(session: AsyncSession, listing: Listing) -> None:
    listing.version += 1
    listing.updated_at = clock.now()
    session.add(listing)


def ensure_on_list(listing: Listing) -> None:
    if listing.status == ListingStatus.delisted:
        raise Conflict("The mine is no longer on the list.")


def deadline(listing: Listing, **fields: Any) -> Deadline:
    """A deadline about the listed mine (its right the subject), addressed to its holder."""
    return Deadline(
        **fields, subject=str(listing.right_id), audience=Audience(holder_id=str(listing.holder_id))
    )


def review_deadline(listing: Listing, edition: Edition, action=DeadlineAction.set) -> Deadline:
    return deadline(
        listing,
        id=f"greenmine-review:{listing.id}:{listing.next_review_due.isoformat()}",
        kind="green_mine_review",
        action=action,
        due_at=add_months(listing.next_review_due, -edition.review_application_lead_months),
        title_zh=f"{listing.mine_name}绿色矿山复查申请（复查日期{listing.next_review_due}）",
    )


def keys(listing: Listing) -> dict[str, UUID]:
    """The keys a record or an event about the listed mine carries."""
    return {"listing_id": listing.id, "right_id": listing.right_id, "holder_id": listing.holder_id}


async def announce(
    session: AsyncSession, listing: Listing, event: type[EventPayload], **fields: Any
) -> None:
    """Publish ``event`` about the listed mine: its listing, right and holder, and ``fields``."""
    await publish(session, event(**keys(listing), **fields), subject=str(listing.right_id))


async def publish_review_due(
    session: AsyncSession, listing: Listing, edition: Edition, action=DeadlineAction.set
) -> None:
    await announce(
        session,
        listing,
        ReviewDue,
        review_due=listing.next_review_due,
        deadline=review_deadline(listing, edition, action),
    )


async def _announce_listed(
    session: AsyncSession, listing: Listing, edition: Edition, *, relisted: bool
) -> None:
    await announce(
        session,
        listing,
        MineListed,
        entry_date=listing.entry_date,
        next_review_due=listing.next_review_due,
        relisted=relisted,
    )
    await publish_review_due(session, listing, edition)


async def list_mine(
    *,
    session: AsyncSession,
    right: MiningRight,
    entry_date: date,
    today: date,
    source: str,
    application_id: UUID | None = None,
    evaluator_org_id: str | None = None,
    holder_name: str | None = None,
) -> Listing:
    """Put a mine on the list from its entry date; the first review falls N years later (for a
    reference entry loaded late, the first review date still ahead of ``today``). ``source`` is
    evaluation (with the application and its evaluator) or reference, whose ``holder_name`` is
    used when the right has none."""
    edition = await editions.active(session)
    existing = await active_for_right(session, right.right_id)
    if existing is not None:
        raise Conflict(
            f"Mine {right.right_id} is already on the list.", listing_id=str(existing.id)
        )
    due = add_months(entry_date, 12 * edition.review_interval_years)
    while due <= today:
        due = add_months(due, 12 * edition.review_interval_years)
    listing = Listing(
        source=source,
        application_id=application_id,
        evaluator_org_id=evaluator_org_id,
        holder_name=right.holder_name or holder_name,
        right_id=right.right_id,
        holder_id=right.holder_id,
        mine_name=right.mine_name,
        mineral=right.mineral,
        status=ListingStatus.listed,
        entry_date=entry_date,
        next_review_due=due,
    )
    await save(session, listing)
    await note(
        session,
        listing,
        entry_date,
        "listed",
        source=listing.source,
        application_id=str(listing.application_id) if listing.application_id else None,
    )
    await _announce_listed(session, listing, edition, relisted=False)
    return listing


async def active_for_right(session: AsyncSession, right_id: UUID) -> Listing | None:
    """The mine's listing while it is on the list (locked for the caller's change)."""
    return (
        await session.exec(
            select(Listing)
            .where(Listing.right_id == right_id, Listing.status != ListingStatus.delisted)
            .with_for_update()
        )
    ).first()


async def get(
    session: AsyncSession, listing_id: UUID, *, caller: Principal | None = None, for_update=False
) -> Listing:
    """A listing is public: another holder acting on it is refused (403), not hidden."""
    listing = await get_or_404(session, Listing, listing_id, what="listing", for_update=for_update)
    if caller is not None:
        caller.ensure_holder(listing.holder_id)
    return listing


async def confirm_review(
    *, session: AsyncSession, listing: Listing, application_id: UUID, org_id: str, today: date
) -> None:
    """A passed review after its publicity: the next review is N years on."""
    edition = await editions.active(session)
    listing.next_review_due = add_months(today, 12 * edition.review_interval_years)
    listing.evaluator_org_id = org_id
    touch(session, listing)
    await note(session, listing, today, "review_passed", application_id=str(application_id))
    await _announce_listed(session, listing, edition, relisted=True)


async def suspend(session: AsyncSession, listing: Listing) -> None:
    """限期整改: the mine stays on the list, its benefits suspended."""
    listing.status = ListingStatus.rectifying
    listing.benefits_suspended = True
    touch(session, listing)


async def relist(*, session: AsyncSession, listing: Listing, today: date) -> None:
    edition = await editions.active(session)
    listing.status = ListingStatus.listed
    listing.benefits_suspended = False
    listing.next_review_due = add_months(today, 12 * edition.review_interval_years)
    touch(session, listing)
    await note(session, listing, today, "relisted")
    await announce(session, listing, BenefitsRestored, restored_on=today)
    await _announce_listed(session, listing, edition, relisted=True)


async def mark_delisted(*, session: AsyncSession, listing: Listing, today: date) -> None:
    """Off the list (the exit notice and the events are the caller's)."""
    listing.status = ListingStatus.delisted
    listing.benefits_suspended = True
    listing.delisted_on = today
    touch(session, listing)
    await session.flush()


async def cancel_review(session: AsyncSession, listing: Listing) -> None:
    """A mine off the list has no review to apply for."""
    edition = await editions.active(session)
    await publish_review_due(session, listing, edition, DeadlineAction.cancelled)


async def change_information(
    *, session: AsyncSession, listing: Listing, changes: dict[str, Any], today: date, **detail
) -> None:
    """Approved changes of listed information, recorded with what they replaced."""
    ensure_on_list(listing)
    before = {field: getattr(listing, field) for field in changes}
    for field, value in changes.items():
        setattr(listing, field, value)
    touch(session, listing)
    await note(
        session, listing, today, "information_changed", **detail, before=before, after=changes
    )


async def list_listings(
    *, session: AsyncSession, page: PageParams, filters: ListingFilters
) -> Page[Listing]:
    return await paginate(session, _filtered(filters), page, order=(Listing.entry_date, Listing.id))


async def all_listings(*, session: AsyncSession, filters: ListingFilters) -> list[Listing]:
    """The whole list at once (the CSV export)."""
    return await fetch_all(session, _filtered(filters).order_by(Listing.entry_date, Listing.id))


def _filtered(filters: ListingFilters):
    query = select(Listing)
    return query.where(Listing.status == filters.status) if filters.status else query


async def history(session: AsyncSession, listing_id: UUID) -> list[HistoryEntry]:
    query = select(HistoryEntry).where(HistoryEntry.listing_id == listing_id)
    return await fetch_all(session, query.order_by(HistoryEntry.id))


async def on_the_list(session: AsyncSession) -> list[Listing]:
    """Every mine listed or rectifying, by right id (what a spot check draws from)."""
    query = select(Listing).where(Listing.status != ListingStatus.delisted)
    return await fetch_all(session, query.order_by(Listing.right_id))


async def due_for_review(session: AsyncSession, *, by: date, skip: Any) -> list[Listing]:
    """Listed mines whose review falls on or before ``by``, but those in ``skip`` (a
    subquery of listing ids), locked for the caller (rows locked elsewhere skipped)."""
    query = select(Listing).where(
        Listing.status == ListingStatus.listed,
        Listing.id.not_in(skip),
        Listing.next_review_due <= by,
    )
    return await fetch_all(session, query.with_for_update(skip_locked=True))


async def review_application_overdue(
    *, session: AsyncSession, listing: Listing, edition: Edition, today: date
) -> bool:
    """Report the review application overdue, once per review date; False when done already
    or its deadline has not passed."""
    if (
        review_deadline(listing, edition).due_at >= today
        or listing.review_overdue_for == listing.next_review_due
    ):
        return False
    listing.review_overdue_for = listing.next_review_due
    touch(session, listing)
    await publish_review_due(session, listing, edition, DeadlineAction.overdue)
    await note(session, listing, today, "review_application_overdue")
    return True


async def counts(session: AsyncSession) -> dict[str, int]:
    """Mines on the list (listed or rectifying) by status."""
    return dict(
        (
            await session.exec(
                select(Listing.status, func.count())
                .where(Listing.status != ListingStatus.delisted)
                .group_by(Listing.status)
            )
        ).all()
    )


async def obliged_mines(session: AsyncSession) -> list[MiningRight]:
    """New mining rights not yet on the list: a new mine must meet the green standard by the
    end of the period (新建矿山按绿色矿山标准建设); the oilfield and other reference rights of
    专栏一 are not new."""
    on_list = select(Listing.right_id).where(Listing.status != ListingStatus.delisted)
    query = select(MiningRight).where(
        MiningRight.kind == "mining",
        MiningRight.reference.is_(False),
        MiningRight.closed_at.is_(None),
        MiningRight.right_id.not_in(on_list),
    )
    return await fetch_all(session, query.order_by(MiningRight.mine_name))


async def on_list(session: AsyncSession, as_of: date) -> list[Listing]:
    """The listings on the list at the end of ``as_of``: entered by then and not delisted by
    then (a mine delisted in 2024 was still on the list in 2023), by entry date."""
    query = select(Listing).where(
        Listing.entry_date <= as_of,
        or_(Listing.delisted_on.is_(None), Listing.delisted_on > as_of),
    )
    return list((await session.exec(query.order_by(Listing.entry_date, Listing.id))).all())


async def indicators(session: AsyncSession, today: date) -> dict[str, Any]:
    """The list as of today against the active edition's target (专栏二), and the obliged
    mines."""
    edition = await editions.active(session)
    by_status = await counts(session)
    listed = len(await on_list(session, today))
    return {
        "edition": edition.code,
        "period_end": edition.period_end,
        "listed_count": listed,
        "rectifying_count": by_status.get(ListingStatus.rectifying, 0),
        "target": edition.green_mine_target,
        "gap": max(0, edition.green_mine_target - listed),
        "obliged": await obliged_mines(session),
    }


async def figures(*, session: AsyncSession, edition: str, as_of: date) -> EvaluationFigures:
    """The green-mine indicator of 专栏二 as of the end of ``as_of``, with the listings behind
    it; the target is the edition's data, the words are the plan's."""
    found = await editions.get(session=session, code=edition)
    listings = await on_list(session, as_of)
    return EvaluationFigures(
        service="greenmine",
        edition=found.code,
        as_of=as_of,
        period_start=found.period_start,
        period_end=found.period_end,
        figures=[
            Figure(
                code="green_mines",
                name_zh="绿色矿山数量",
                target=Decimal(found.green_mine_target),
                actual=Decimal(len(listings)),
                unit="个",
                binding=False,  # 预期性
                direction=Direction.at_least,
                clause="专栏二",
                records=[
                    FigureRecord(
                        kind="listing",
                        id=str(item.id),
                        name=item.mine_name,
                        code=str(item.right_id),
                        on=item.entry_date,
                        value=Decimal(1),
                    )
                    for item in listings
                ],
            )
        ],
    )


async def apply_reference_listings(*, session: AsyncSession, today: date) -> int:
    """Mines already on the list when the edition took effect (第一章第二节三), by mine name
    once rights-api has announced them; safe to run again."""
    edition = await editions.active_or_none(session)
    if edition is None:  # not seeded yet: the seed lists them when it runs
        return 0
    listed = 0
    for ref in edition.reference_listings:
        right = (
            await session.exec(select(MiningRight).where(MiningRight.mine_name == ref["mine_name"]))
        ).first()
        if right is None or not right.live:
            continue
        if (
            await session.exec(select(Listing.id).where(Listing.right_id == right.right_id))
        ).first():
            continue  # listed already, or listed once and removed since: never again by seed
        await list_mine(
            session=session,
            right=right,
            holder_name=ref.get("holder_name"),
            entry_date=date.fromisoformat(ref["entry_date"]),
            source="reference",
            today=today,
        )
        listed += 1
    return listed
