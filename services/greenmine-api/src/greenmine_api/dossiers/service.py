"""A listed mine's full record: the listing with its history, its rectifications, its exit
notice once removed, and the published spot-check results about it."""

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.dossiers.schemas import ListingDetail
from greenmine_api.exits import service as exits
from greenmine_api.exits.schemas import ExitNoticePublic
from greenmine_api.listings import service as listings
from greenmine_api.listings.schemas import HistoryPublic, ListingPublic
from greenmine_api.rectifications import service as rectifications
from greenmine_api.rectifications.schemas import RectificationPublic
from greenmine_api.spotchecks import service as spotchecks


async def dossier(*, session: AsyncSession, listing_id: UUID) -> ListingDetail:
    listing = await listings.get(session, listing_id)
    notice = await exits.notice_for(session, listing.id)
    return ListingDetail(
        **ListingPublic.model_validate(listing, from_attributes=True).model_dump(),
        history=[
            HistoryPublic.model_validate(h, from_attributes=True)
            for h in await listings.history(session, listing.id)
        ],
        exit_notice=ExitNoticePublic.model_validate(notice, from_attributes=True)
        if notice
        else None,
        rectifications=[
            RectificationPublic.model_validate(r, from_attributes=True)
            for r in await rectifications.for_listing(session, listing.id)
        ],
        spot_checks=await spotchecks.results_for_listing(session=session, listing_id=listing.id),
    )
