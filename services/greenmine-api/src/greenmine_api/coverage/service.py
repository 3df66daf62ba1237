"""Every producing mine on the green-mine path (第二章第三节: 生产矿山进行改造升级，2025年底
达不到绿色矿山建设标准依法依规提出[退出]矿业市场; 专栏二; 第六章第一节): listed, applying, or
owing the standard, from the mining-rights read model greenmine keeps, not only the mines that
applied."""

from datetime import date

from mining_rights import MiningRight
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications.models import OPEN_STATUSES, ApplicationKind, GreenApplication
from greenmine_api.coverage.schemas import Coverage, CoveredMine, PathState
from greenmine_api.editions import service as editions
from greenmine_api.listings.models import Listing, ListingStatus
from greenmine_api.queries import fetch_all

CLAUSE = "第二章第三节, 专栏二; 第六章第一节"
PRODUCING = "producing"  # 专栏一's 矿山开采现状 "生产矿山"


async def coverage(*, session: AsyncSession, today: date) -> Coverage:
    edition = await editions.active(session)
    mines = await fetch_all(
        session,
        select(MiningRight)
        .where(MiningRight.kind == "mining", MiningRight.status == PRODUCING)
        .order_by(MiningRight.mine_name, MiningRight.right_id),
    )
    ids = [m.right_id for m in mines]
    listings = {
        x.right_id: x
        for x in await fetch_all(
            session,
            select(Listing).where(
                Listing.right_id.in_(ids), Listing.status != ListingStatus.delisted
            ),
        )
    }
    applying = {
        a.right_id: a
        for a in await fetch_all(
            session,
            select(GreenApplication).where(
                GreenApplication.right_id.in_(ids),
                GreenApplication.kind == ApplicationKind.entry,
                GreenApplication.status.in_(list(OPEN_STATUSES)),
            ),
        )
    }
    due = edition.period_end
    covered = []
    for mine in mines:
        listing, application = listings.get(mine.right_id), applying.get(mine.right_id)
        state = (
            PathState.listed
            if listing
            else PathState.applying
            if application
            else PathState.owes_standard
        )
        covered.append(
            CoveredMine(
                right_id=mine.right_id,
                mine_name=mine.mine_name,
                holder_id=mine.holder_id,
                holder_name=mine.holder_name,
                mineral=mine.mineral,
                state=state,
                entry_date=listing.entry_date if listing else None,
                rectifying=bool(listing and listing.status == ListingStatus.rectifying),
                application_id=application.id if application and not listing else None,
                due=due,
                overdue=listing is None and today > due,
                clause=CLAUSE,
            )
        )
    listed = sum(1 for m in covered if m.state == PathState.listed)
    return Coverage(
        edition=edition.code,
        as_of=today,
        producing=len(covered),
        listed=listed,
        share=round(listed / len(covered), 4) if covered else None,
        target=1.0,
        target_count=edition.green_mine_target,
        due=due,
        clause=CLAUSE,
        mines=covered,
    )
