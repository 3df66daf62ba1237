"""A listed mine's full record, as the public reads it."""

from greenmine_api.exits.schemas import ExitNoticePublic
from greenmine_api.listings.schemas import HistoryPublic, ListingPublic
from greenmine_api.rectifications.schemas import RectificationPublic
from greenmine_api.spotchecks.schemas import SpotCheckResult


class ListingDetail(ListingPublic):
    history: list[HistoryPublic]
    exit_notice: ExitNoticePublic | None = None
    rectifications: list[RectificationPublic]
    spot_checks: list[SpotCheckResult]
