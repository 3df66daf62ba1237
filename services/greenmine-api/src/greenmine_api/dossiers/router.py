"""HTTP for one listed mine's full record."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Session
from servicekit.http_cache import cached

from greenmine_api.dossiers import service
from greenmine_api.dossiers.schemas import ListingDetail
from greenmine_api.responses import NO_SUCH_LISTING, PUBLIC

router = APIRouter(tags=["listings 绿色矿山名录"])
DossierCache = Annotated[
    None,
    cached(
        "listings",
        "listing_history",
        "green_rectifications",
        "exit_notices",
        "spot_checks",
        "spot_check_findings",
    ),
]


@router.get(
    "/listings/{listing_id}",
    summary="One listed mine 名录详情",
    responses={**PUBLIC, **NO_SUCH_LISTING},
)
async def get_listing(listing_id: UUID, session: Session, _cache: DossierCache) -> ListingDetail:
    """Public: with its full history, rectifications, published spot-check results and, once
    removed, its exit notice 退出公告.
    """
    return await service.dossier(session=session, listing_id=listing_id)
