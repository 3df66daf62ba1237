"""Bidders 竞买人 and bids of a market grant offering: the bureau records bidders with their
deposits; bids are taken only while bidding is open, sealed until close for a tender, ascending
by the minimum increment at an auction or listing. Functions never commit."""

from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.holders.models import Holder
from rights_api.offerings.models import GrantBid, GrantBidder, OfferingMethod, OfferingState
from rights_api.offerings.schemas import BidCreate, BidderCreate, BidderPublic, BidPublic
from rights_api.offerings.service import best_bid, get_offering, require_state, to_fen, to_yuan


async def _holder(session: AsyncSession, holder_id: UUID) -> Holder:
    holder = await session.get(Holder, holder_id)
    if holder is None:
        raise validation_error(
            [FieldError(field="body.holder_id", message=f"no holder {holder_id}")]
        )
    return holder


async def register_bidder(
    *, session: AsyncSession, offering_id: UUID, data: BidderCreate, actor: Principal
) -> BidderPublic:
    """The bureau records a bidder 竞买人 once its deposit 保证金 has arrived: while the offering is
    announced and bidding has not ended."""
    offering = await get_offering(session, offering_id, for_update=True)
    require_state(offering, OfferingState.announced, "take bidders")
    assert offering.bidding_until is not None
    if clock.local_today() > offering.bidding_until:
        raise Conflict(f"Bidding on offering {offering.id} ended on {offering.bidding_until}.")
    await _holder(session, data.holder_id)
    deposit = offering.deposit_fen if data.deposit_yuan is None else to_fen(data.deposit_yuan)
    if deposit < offering.deposit_fen:
        raise validation_error(
            [
                FieldError(
                    field="body.deposit_yuan",
                    message=f"is below the offering's deposit {to_yuan(offering.deposit_fen)}",
                )
            ]
        )
    if await session.get(GrantBidder, (offering.id, data.holder_id)) is not None:
        raise Conflict(f"Holder {data.holder_id} is already a bidder on offering {offering.id}.")
    bidder = GrantBidder(
        offering_id=offering.id,
        holder_id=data.holder_id,
        deposit_fen=deposit,
        registered_by=actor.subject,
    )
    session.add(bidder)
    await session.flush()
    return _bidder_public(bidder)


def _bidder_public(bidder: GrantBidder) -> BidderPublic:
    return BidderPublic(
        offering_id=bidder.offering_id,
        holder_id=bidder.holder_id,
        deposit_yuan=to_yuan(bidder.deposit_fen),
        registered_at=bidder.registered_at,
    )


async def bid(
    *, session: AsyncSession, offering_id: UUID, data: BidCreate, actor: Principal
) -> BidPublic:
    """A bid of a registered bidder while bidding is open. Tender: one sealed bid per bidder.
    Auction and listing: the first at least the reserve, each next at least the best plus the
    minimum increment."""
    offering = await get_offering(session, offering_id, for_update=True, caller=actor)
    actor.ensure_holder(data.holder_id)
    require_state(offering, OfferingState.announced, "take bids")
    today = clock.local_today()
    assert offering.bidding_from is not None and offering.bidding_until is not None
    if not offering.bidding_from <= today <= offering.bidding_until:
        raise Conflict(
            f"Bidding on offering {offering.id} is open from {offering.bidding_from} to "
            f"{offering.bidding_until}, not on {today}."
        )
    if await session.get(GrantBidder, (offering.id, data.holder_id)) is None:
        raise validation_error(
            [
                FieldError(
                    field="body.holder_id",
                    message="is not a registered bidder with a deposit on this offering",
                )
            ]
        )
    amount = to_fen(data.amount_yuan)
    if offering.method == OfferingMethod.tender:
        sealed = await session.scalar(
            select(GrantBid.id).where(
                GrantBid.offering_id == offering.id, GrantBid.holder_id == data.holder_id
            )
        )
        if sealed is not None:
            raise Conflict("A tender takes one sealed bid per bidder; this bidder has bid.")
    else:
        best = await best_bid(session, offering)
        floor = (
            offering.reserve_price_fen
            if best is None
            else best.amount_fen + (offering.min_increment_fen)
        )
        if amount < floor:
            what = "the reserve price" if best is None else "the best bid plus the increment"
            raise validation_error(
                [
                    FieldError(
                        field="body.amount_yuan",
                        message=f"must be at least {to_yuan(floor)} ({what})",
                    )
                ]
            )
    placed = GrantBid(
        offering_id=offering.id,
        holder_id=data.holder_id,
        amount_fen=amount,
        placed_by=actor.subject,
    )
    session.add(placed)
    await session.flush()
    return _bid_public(placed, actor.own_holder)


async def list_bids(
    *, session: AsyncSession, offering_id: UUID, caller: Principal, page: PageParams
) -> Page[BidPublic]:
    """The bureau sees every bid. An enterprise sees its own bids, and others' amounts (without
    the bidder) at an auction or listing, or once a tender is closed: a tender is sealed until."""
    offering = await get_offering(session, offering_id, caller=caller)
    query = select(GrantBid).where(GrantBid.offering_id == offering.id)
    own = caller.own_holder
    if own is not None and offering.sealed:
        query = query.where(GrantBid.holder_id == own)
    rows = await paginate(session, query, page, order=(GrantBid.id,))
    return rows.with_items([_bid_public(b, own) for b in rows.items])


def _bid_public(bid: GrantBid, own: UUID | None) -> BidPublic:
    """The bid; its bidder hidden from an enterprise (``own``: its holder) that is not it."""
    return BidPublic(
        id=bid.id,
        holder_id=bid.holder_id if own is None or bid.holder_id == own else None,
        amount_yuan=to_yuan(bid.amount_fen),
        placed_at=bid.placed_at,
    )
