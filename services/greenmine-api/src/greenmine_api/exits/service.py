"""Leaving the list: every removal has a numbered exit notice 退出公告 and ends the mine's
open cases and publicity. The reasons: a violation or major accident, voluntary exit, the
mine closed or changed hands, a rectification failed or overdue, a review missed."""

from datetime import date, datetime
from uuid import UUID

from contracts.greenmine import MineDelisted
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict
from sqlalchemy import text
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.exits.models import ExitNotice
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import Listing
from greenmine_api.publicity import service as publicity
from greenmine_api.publicity.models import Publicity
from greenmine_api.rectifications import service as rectifications
from greenmine_api.rectifications.schemas import RectificationDecision

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


async def delist(
    *, session: AsyncSession, listing: Listing, reason: str, today: date, detail: str | None = None
) -> ExitNotice:
    """Remove the mine with a numbered exit notice; open cases end with it."""
    listings.ensure_on_list(listing)
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
    await rectifications.close_open(session, listing_id=listing.id, today=today)
    await publicity.end_open(session, right_id=listing.right_id)
    await listings.mark_delisted(session=session, listing=listing, today=today)
    await listings.note(
        session, listing, today, "delisted", reason=reason, exit_notice_no=number, detail=detail
    )
    await listings.announce(
        session, listing, MineDelisted, exit_notice_no=number, reason=reason, delisted_on=today
    )
    await listings.cancel_review(session, listing)
    return notice


async def remove(
    *,
    session: AsyncSession,
    listing_id: UUID,
    reason: str,
    detail: str | None,
    caller: Principal | None = None,
) -> ExitNotice:
    """The bureau's removal, or the holder's own exit (``caller`` must hold the mine)."""
    listing = await listings.get(session, listing_id, caller=caller, for_update=True)
    today = clock.local_today()
    return await delist(session=session, listing=listing, reason=reason, today=today, detail=detail)


async def end_for_right(
    *, session: AsyncSession, right_id: UUID, reason: str, today: date, detail: str | None = None
) -> ExitNotice | None:
    """The mine closed or changed hands: its listing ends."""
    listing = await listings.active_for_right(session, right_id)
    if listing is None:
        return None
    return await delist(session=session, listing=listing, reason=reason, today=today, detail=detail)


async def notice_for(session: AsyncSession, listing_id: UUID) -> ExitNotice | None:
    return (
        await session.exec(select(ExitNotice).where(ExitNotice.listing_id == listing_id))
    ).first()


async def decide_rectification(
    *, session: AsyncSession, rectification_id: UUID, data: RectificationDecision
) -> Publicity | ExitNotice:
    """The bureau's verification: passed → the re-listing publicity (returned); failed → the
    mine is removed (its exit notice returned)."""
    rect = await rectifications.get(session, rectification_id)
    today = clock.local_today()
    listing, pub = await rectifications.record_verdict(
        session=session,
        rect=rect,
        passed=data.passed,
        note_text=data.note,
        today=today,
        publicity_starts_on=data.publicity_starts_on,
    )
    if pub is not None:
        return pub
    return await delist(
        session=session,
        listing=listing,
        reason="rectification_failed",
        today=today,
        detail=data.note,
    )


async def remove_overdue_rectifications(session: AsyncSession, now: datetime) -> int:
    """Job: an open rectification past its date removes the mine (逾期未整改)."""
    today = clock.local_today(now)
    rects = await rectifications.overdue_cases(session, today=today)
    for rect in rects:
        listing = await rectifications.mark_overdue(session=session, rect=rect, today=today)
        await delist(session=session, listing=listing, reason="rectification_overdue", today=today)
    return len(rects)


async def conclude_relisting(
    *, session: AsyncSession, pub: Publicity, upheld: bool, today: date
) -> None:
    """A re-listing publicity closed: an upheld objection removes the mine; otherwise it is
    re-listed, unless a new case opened meanwhile (e.g. an overdue order) that must end first."""
    rect = await rectifications.get(session, pub.rectification_id, for_update=False)
    listing = await listings.get(session, rect.listing_id, for_update=True)
    if upheld:
        await delist(
            session=session,
            listing=listing,
            reason="rectification_failed",
            today=today,
            detail="objection upheld during publicity",
        )
    elif await rectifications.open_for_listing(session, listing.id) is not None:
        await listings.note(session, listing, today, "relisting_deferred", publicity_id=str(pub.id))
    else:
        await listings.relist(session=session, listing=listing, today=today)
