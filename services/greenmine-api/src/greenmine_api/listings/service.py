"""Life on the list (规划第六章第一节): listing, three-yearly review, rectification with
benefits suspended, re-listing after publicity, removal with a numbered exit notice.
Functions never commit; every change and its event share the caller's transaction."""

from datetime import UTC, date, datetime
from uuid import UUID

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.greenmine import (
    BenefitsRestored,
    BenefitsSuspended,
    GreenRectificationOrdered,
    GreenRectificationOverdue,
    GreenRectificationResolved,
    MineDelisted,
    MineListed,
    ReviewDue,
)
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.events.outbox import publish
from sqlalchemy import text, tuple_
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications.models import OPEN_STATUSES, GreenApplication
from greenmine_api.dates import add_months, local_today
from greenmine_api.listings.models import (
    ChangeRequest,
    ExitNotice,
    HistoryEntry,
    Listing,
    ListingStatus,
    Rectification,
)
from greenmine_api.mines.models import Edition, Mine
from greenmine_api.mines.service import active_edition, get_mine
from greenmine_api.publicity import service as publicity
from greenmine_api.publicity.models import Publicity

EXIT_REASONS_ZH = {
    "mine_closed": "矿山已闭坑",
    "transferred": "矿业权已转让，绿色矿山称号不随之转让",
    "rectification_failed": "限期整改后复核不合格",
    "rectification_overdue": "逾期未完成整改",
    "violation": "存在违法违规行为",
    "major_accident": "发生重大安全或环境事故",
    "voluntary_exit": "矿山企业申请自愿退出",
    "review_overdue": "未按期申请并通过三年复查",
}
NOTICE_PREFIX = "二自然资绿退"


async def note(session: AsyncSession, listing: Listing, on: date, action: str, **detail) -> None:
    session.add(HistoryEntry(listing_id=listing.id, on=on, action=action, detail=detail))


def _touch(session: AsyncSession, listing: Listing) -> None:
    listing.version += 1
    listing.updated_at = datetime.now(UTC)
    session.add(listing)


def _ensure_on_list(listing: Listing) -> None:
    if listing.status == ListingStatus.delisted:
        raise Conflict("The mine is no longer on the list.")


def review_deadline(listing: Listing, edition: Edition, action=DeadlineAction.set) -> Deadline:
    due = add_months(listing.next_review_due, -edition.review_application_lead_months)
    return Deadline(
        id=f"greenmine-review:{listing.id}:{listing.next_review_due.isoformat()}",
        kind="green_mine_review",
        action=action,
        due_at=due,
        subject=str(listing.right_id),
        audience=Audience(holder_id=str(listing.holder_id)),
        title_zh=f"{listing.mine_name}绿色矿山复查申请（复查日期{listing.next_review_due}）",
    )


async def publish_review_due(
    session: AsyncSession, listing: Listing, edition: Edition, action=DeadlineAction.set
) -> None:
    await publish(
        session,
        ReviewDue(
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            review_due=listing.next_review_due,
            deadline=review_deadline(listing, edition, action),
        ),
        subject=str(listing.right_id),
    )


async def _announce_listed(
    session: AsyncSession, listing: Listing, edition: Edition, *, relisted: bool
) -> None:
    await publish(
        session,
        MineListed(
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            entry_date=listing.entry_date,
            next_review_due=listing.next_review_due,
            relisted=relisted,
        ),
        subject=str(listing.right_id),
    )
    await publish_review_due(session, listing, edition)


async def list_mine(
    *,
    session: AsyncSession,
    right_id: UUID,
    holder_id: UUID,
    holder_name: str | None,
    mine_name: str,
    mineral: str | None,
    entry_date: date,
    source: str,
    today: date,
    application_id: UUID | None = None,
    evaluator_org_id: str | None = None,
) -> Listing:
    """Put a mine on the list from its entry date; the first review falls N years later (for a
    reference entry loaded late, the first review date still ahead of ``today``)."""
    edition = await active_edition(session)
    existing = await active_for_right(session, right_id)
    if existing is not None:
        raise Conflict(f"Mine {right_id} is already on the list.", listing_id=str(existing.id))
    due = add_months(entry_date, 12 * edition.review_interval_years)
    while due <= today:
        due = add_months(due, 12 * edition.review_interval_years)
    listing = Listing(
        right_id=right_id,
        holder_id=holder_id,
        holder_name=holder_name,
        mine_name=mine_name,
        mineral=mineral,
        status=ListingStatus.listed,
        entry_date=entry_date,
        next_review_due=due,
        source=source,
        application_id=application_id,
        evaluator_org_id=evaluator_org_id,
    )
    session.add(listing)
    await session.flush()
    await note(
        session,
        listing,
        entry_date,
        "listed",
        source=source,
        application_id=str(application_id) if application_id else None,
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
    listing = await session.get(Listing, listing_id, with_for_update=for_update)
    if listing is None:
        raise NotFound(f"No listing {listing_id}.")
    if caller is not None:
        caller.ensure_holder(str(listing.holder_id))
    return listing


async def confirm_review(
    *, session: AsyncSession, listing: Listing, application: GreenApplication, today: date
) -> None:
    """A passed review after its publicity: the next review is N years on."""
    edition = await active_edition(session)
    listing.next_review_due = add_months(today, 12 * edition.review_interval_years)
    listing.evaluator_org_id = application.org_id
    _touch(session, listing)
    await note(session, listing, today, "review_passed", application_id=str(application.id))
    await _announce_listed(session, listing, edition, relisted=True)


async def order_rectification(
    *, session: AsyncSession, listing: Listing, reason: str, today: date, detail: str | None = None
) -> Rectification:
    """限期整改 for N months, benefits suspended. A mine already rectifying keeps its case."""
    _ensure_on_list(listing)
    current = await open_rectification(session, listing.id)
    if current is not None:
        await note(
            session, listing, today, "rectification_reason_added", reason=reason, detail=detail
        )
        return current
    edition = await active_edition(session)
    rect = Rectification(
        listing_id=listing.id,
        right_id=listing.right_id,
        holder_id=listing.holder_id,
        reason=reason,
        detail=detail,
        ordered_on=today,
        due_on=add_months(today, edition.rectification_months),
        status="open",
    )
    session.add(rect)
    listing.status = ListingStatus.rectifying
    listing.benefits_suspended = True
    _touch(session, listing)
    await session.flush()
    await note(
        session,
        listing,
        today,
        "rectification_ordered",
        reason=reason,
        due_on=rect.due_on.isoformat(),
        rectification_id=str(rect.id),
    )
    subject = str(listing.right_id)
    await publish(
        session,
        GreenRectificationOrdered(
            rectification_id=rect.id,
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            reason=reason,
            deadline=_rect_deadline(rect, listing),
        ),
        subject=subject,
    )
    await publish(
        session,
        BenefitsSuspended(
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            reason=reason,
            suspended_on=today,
        ),
        subject=subject,
    )
    return rect


def _open_rectifications(listing_id: UUID):
    return select(Rectification).where(
        Rectification.listing_id == listing_id, Rectification.status == "open"
    )


async def open_rectification(session: AsyncSession, listing_id: UUID) -> Rectification | None:
    return (await session.exec(_open_rectifications(listing_id))).first()


def _rect_deadline(rect: Rectification, listing: Listing, action=DeadlineAction.set) -> Deadline:
    return Deadline(
        id=f"greenmine-rectification:{rect.id}",
        kind="green_mine_rectification",
        action=action,
        due_at=rect.due_on,
        subject=str(listing.right_id),
        audience=Audience(holder_id=str(listing.holder_id)),
        title_zh=f"{listing.mine_name}绿色矿山限期整改",
    )


async def get_rectification(session: AsyncSession, rect_id: UUID) -> Rectification:
    rect = await session.get(Rectification, rect_id, with_for_update=True)
    if rect is None:
        raise NotFound(f"No rectification {rect_id}.")
    return rect


async def decide_rectification(
    *,
    session: AsyncSession,
    rect: Rectification,
    passed: bool,
    note_text: str,
    today: date,
    publicity_starts_on: date | None = None,
) -> Publicity | None:
    """The bureau's verification: passed → publicity, then re-listing; failed → removal."""
    if rect.status != "open":
        raise Conflict(f"The rectification is already {rect.status}.")
    listing = await get(session, rect.listing_id, for_update=True)
    rect.status = "passed" if passed else "failed"
    rect.decision_note, rect.decided_on = note_text, today
    session.add(rect)
    await publish(
        session,
        GreenRectificationResolved(
            rectification_id=rect.id,
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            passed=passed,
            deadline=_rect_deadline(rect, listing, DeadlineAction.met),
        ),
        subject=str(listing.right_id),
    )
    await note(
        session,
        listing,
        today,
        "rectification_" + rect.status,
        rectification_id=str(rect.id),
        note=note_text,
    )
    if not passed:
        await delist(
            session=session,
            listing=listing,
            reason="rectification_failed",
            today=today,
            detail=note_text,
        )
        return None
    edition = await active_edition(session)
    return await publicity.open(
        session=session,
        kind="relisting",
        right_id=listing.right_id,
        holder_id=listing.holder_id,
        mine_name=listing.mine_name,
        rectification_id=rect.id,
        starts_on=publicity_starts_on or today,
        workdays=edition.publicity_workdays,
    )


async def relist(*, session: AsyncSession, listing: Listing, today: date) -> None:
    edition = await active_edition(session)
    listing.status = ListingStatus.listed
    listing.benefits_suspended = False
    listing.next_review_due = add_months(today, 12 * edition.review_interval_years)
    _touch(session, listing)
    await note(session, listing, today, "relisted")
    await publish(
        session,
        BenefitsRestored(
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            restored_on=today,
        ),
        subject=str(listing.right_id),
    )
    await _announce_listed(session, listing, edition, relisted=True)


async def delist(
    *, session: AsyncSession, listing: Listing, reason: str, today: date, detail: str | None = None
) -> ExitNotice:
    """Remove the mine with a numbered exit notice; open cases end with it."""
    _ensure_on_list(listing)
    if reason not in EXIT_REASONS_ZH:
        raise Conflict(f"Unknown exit reason {reason}.")
    # one numbering sequence per year, however many replicas write notices at once
    await session.exec(text("SELECT pg_advisory_xact_lock(hashtext('greenmine:exit_notice'))"))
    seq = (
        await session.scalar(select(func.max(ExitNotice.seq)).where(ExitNotice.year == today.year))
        or 0
    ) + 1
    number = f"{NOTICE_PREFIX}〔{today.year}〕{seq}号"
    holder = listing.holder_name or ""
    notice = ExitNotice(
        listing_id=listing.id,
        year=today.year,
        seq=seq,
        number=number,
        reason=reason,
        published_on=today,
        text_zh=(
            f"{number}：{holder}{listing.mine_name}（{listing.entry_date}纳入绿色矿山名录），"
            f"因{EXIT_REASONS_ZH[reason]}，自{today}起移出二连浩特市绿色矿山名录，"
            "不再享受绿色矿山相关用地、税收、信贷等支持政策。特此公告。"
        ),
    )
    session.add(notice)
    for rect in (await session.exec(_open_rectifications(listing.id))).all():
        rect.status, rect.decided_on = "closed", today
        session.add(rect)
    await publicity.end_open(session, right_id=listing.right_id)
    listing.status = ListingStatus.delisted
    listing.benefits_suspended = True
    listing.delisted_on = today
    _touch(session, listing)
    await session.flush()
    await note(
        session, listing, today, "delisted", reason=reason, exit_notice_no=number, detail=detail
    )
    await publish(
        session,
        MineDelisted(
            listing_id=listing.id,
            right_id=listing.right_id,
            holder_id=listing.holder_id,
            exit_notice_no=number,
            reason=reason,
            delisted_on=today,
        ),
        subject=str(listing.right_id),
    )
    edition = await active_edition(session)
    await publish_review_due(session, listing, edition, DeadlineAction.cancelled)
    return notice


async def mark_overdue_rectifications(session: AsyncSession, now: datetime) -> int:
    """Job: an open rectification past its date removes the mine (逾期未整改)."""
    today = local_today(now)
    rects = (
        await session.exec(
            select(Rectification)
            .where(Rectification.status == "open", Rectification.due_on < today)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for rect in rects:
        listing = await get(session, rect.listing_id, for_update=True)
        rect.status, rect.decided_on = "overdue", today
        session.add(rect)
        await publish(
            session,
            GreenRectificationOverdue(
                rectification_id=rect.id,
                listing_id=listing.id,
                right_id=listing.right_id,
                holder_id=listing.holder_id,
                deadline=_rect_deadline(rect, listing, DeadlineAction.overdue),
            ),
            subject=str(listing.right_id),
        )
        await delist(session=session, listing=listing, reason="rectification_overdue", today=today)
    return len(rects)


async def close_publicity(*, session: AsyncSession, publicity_id: UUID, today: date) -> Publicity:
    """After the last day, with every objection decided: an upheld objection fails it; else the
    mine is listed (entry), its review confirmed (review) or re-listed (relisting)."""
    pub = await publicity.get(session, publicity_id, for_update=True)
    upheld = await publicity.ready_to_close(session, pub, today=today)
    pub.status = "failed" if upheld else "passed"
    pub.closed_at = datetime.now(UTC)
    session.add(pub)
    if pub.application_id is not None:
        application = await session.get(GreenApplication, pub.application_id, with_for_update=True)
        application.status = "rejected" if upheld else "approved"
        application.decided_at = pub.closed_at
        application.version += 1
        session.add(application)
    if pub.kind == "entry" and not upheld:
        mine = await get_mine(session, pub.right_id)
        await list_mine(
            session=session,
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            holder_name=mine.holder_name,
            mine_name=mine.mine_name,
            mineral=mine.mineral,
            entry_date=today,
            source="evaluation",
            today=today,
            application_id=application.id,
            evaluator_org_id=application.org_id,
        )
    elif pub.kind == "review":
        listing = await get(session, application.listing_id, for_update=True)
        if upheld:
            await order_rectification(
                session=session, listing=listing, reason="review_objection_upheld", today=today
            )
        else:
            await confirm_review(
                session=session, listing=listing, application=application, today=today
            )
    elif pub.kind == "relisting":
        rect = await session.get(Rectification, pub.rectification_id)
        listing = await get(session, rect.listing_id, for_update=True)
        if upheld:
            await delist(
                session=session,
                listing=listing,
                reason="rectification_failed",
                today=today,
                detail="objection upheld during publicity",
            )
        elif await open_rectification(session, listing.id) is not None:
            # a new case opened meanwhile (e.g. an overdue order): it must end first
            await note(session, listing, today, "relisting_deferred", publicity_id=str(pub.id))
        else:
            await relist(session=session, listing=listing, today=today)
    await session.flush()
    return pub


async def close_due_publicities(session: AsyncSession, now: datetime) -> int:
    """Job: close every publicity whose period is over and whose objections are decided
    (rows a request is closing right now are skipped, not waited for)."""
    today = local_today(now)
    due = (
        await session.exec(
            select(Publicity)
            .where(Publicity.status == "open", Publicity.ends_on < today)
            .with_for_update(skip_locked=True)
        )
    ).all()
    closed = 0
    for pub in due:
        if await publicity.pending_objections(session, pub.id):
            continue
        await close_publicity(session=session, publicity_id=pub.id, today=today)
        closed += 1
    return closed


async def end_for_right(
    *, session: AsyncSession, right_id: UUID, reason: str, today: date, detail: str | None = None
) -> Listing | None:
    """The mine closed or changed hands: its listing ends, its open application is cancelled."""
    for application in (
        await session.exec(
            select(GreenApplication)
            .where(
                GreenApplication.right_id == right_id, GreenApplication.status.in_(OPEN_STATUSES)
            )
            .with_for_update()
        )
    ).all():
        application.status = "cancelled"
        application.version += 1
        session.add(application)
    await publicity.end_open(session, right_id=right_id)
    listing = await active_for_right(session, right_id)
    if listing is None:
        return None
    await delist(session=session, listing=listing, reason=reason, today=today, detail=detail)
    return listing


async def list_listings(
    *, session: AsyncSession, limit: int | None, after: list | None, status: str | None
) -> list[Listing]:
    query = select(Listing).order_by(Listing.entry_date, Listing.id)
    if status:
        query = query.where(Listing.status == status)
    if after:
        query = query.where(
            tuple_(Listing.entry_date, Listing.id)
            > tuple_(date.fromisoformat(after[0]), UUID(after[1]))
        )
    if limit is not None:
        query = query.limit(limit + 1)
    return list((await session.exec(query)).all())


async def exit_notice(session: AsyncSession, listing_id: UUID) -> ExitNotice | None:
    return (
        await session.exec(select(ExitNotice).where(ExitNotice.listing_id == listing_id))
    ).first()


async def detail(session: AsyncSession, listing: Listing) -> dict:
    history = (
        await session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.listing_id == listing.id)
            .order_by(HistoryEntry.id)
        )
    ).all()
    notice = await exit_notice(session, listing.id)
    rects = (
        await session.exec(
            select(Rectification)
            .where(Rectification.listing_id == listing.id)
            .order_by(Rectification.ordered_on)
        )
    ).all()
    return {"history": history, "exit_notice": notice, "rectifications": rects}


async def request_change(
    *, session: AsyncSession, listing: Listing, changes: dict, reason: str
) -> ChangeRequest:
    _ensure_on_list(listing)
    request = ChangeRequest(
        listing_id=listing.id,
        holder_id=listing.holder_id,
        changes=changes,
        reason=reason,
        status="pending",
    )
    session.add(request)
    await session.flush()
    await note(
        session, listing, local_today(), "change_requested", change_request_id=str(request.id)
    )
    return request


async def decide_change(
    *,
    session: AsyncSession,
    request: ChangeRequest,
    approve: bool,
    note_text: str | None,
    today: date,
) -> ChangeRequest:
    if request.status != "pending":
        raise Conflict(f"The change request is already {request.status}.")
    listing = await get(session, request.listing_id, for_update=True)
    request.status = "approved" if approve else "rejected"
    request.decision_note = note_text
    request.decided_at = datetime.now(UTC)
    session.add(request)
    if approve:
        _ensure_on_list(listing)
        before = {field: getattr(listing, field) for field in request.changes}
        for field, value in request.changes.items():
            setattr(listing, field, value)
        _touch(session, listing)
        await note(
            session,
            listing,
            today,
            "information_changed",
            change_request_id=str(request.id),
            before=before,
            after=request.changes,
        )
    await session.flush()
    return request


async def mark_overdue_reviews(session: AsyncSession, now: datetime) -> int:
    """Job: a review application not filed by its date is reported overdue (the deadline's
    owner says so, once per cycle); a review date passed with no review under way removes the
    mine (未按期复查)."""
    today = local_today(now)
    edition = await active_edition(session)
    reviewing = select(GreenApplication.listing_id).where(
        GreenApplication.kind == "review", GreenApplication.status.in_(OPEN_STATUSES)
    )
    candidates = (
        await session.exec(
            select(Listing)
            .where(
                Listing.status == ListingStatus.listed,
                Listing.id.not_in(reviewing),
                Listing.next_review_due
                <= add_months(today, edition.review_application_lead_months),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    handled = 0
    for listing in candidates:
        if listing.next_review_due < today:
            await delist(session=session, listing=listing, reason="review_overdue", today=today)
            handled += 1
        elif (
            review_deadline(listing, edition).due_at < today
            and listing.review_overdue_for != listing.next_review_due
        ):
            listing.review_overdue_for = listing.next_review_due
            _touch(session, listing)
            await publish_review_due(session, listing, edition, DeadlineAction.overdue)
            await note(session, listing, today, "review_application_overdue")
            handled += 1
    return handled


async def apply_reference_listings(*, session: AsyncSession, today: date) -> int:
    """Mines already on the list when the edition took effect (专栏一), matched by mine name
    once rights-api has announced them; safe to run again."""
    edition = (await session.exec(select(Edition).where(Edition.active))).first()
    if edition is None:  # not seeded yet: the seed lists them when it runs
        return 0
    listed = 0
    for ref in edition.reference_listings:
        mine = (await session.exec(select(Mine).where(Mine.mine_name == ref["mine_name"]))).first()
        if mine is None or mine.status in ("closed", "closed_by_policy"):
            continue
        if (
            await session.exec(select(Listing.id).where(Listing.right_id == mine.right_id))
        ).first():
            continue  # listed already, or listed once and removed since: never again by seed
        await list_mine(
            session=session,
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            holder_name=mine.holder_name or ref.get("holder_name"),
            mine_name=mine.mine_name,
            mineral=mine.mineral,
            entry_date=date.fromisoformat(ref["entry_date"]),
            source="reference",
            today=today,
        )
        listed += 1
    return listed
