"""Market grant 市场出让 (招拍挂) of planned blocks (第五章第一节, 第五章第二节): creating,
announcing, withdrawing and reading offerings, and what the other steps share. Bidders and bids
are ``bidding``; closing, a sale recorded after the fact and the award are ``award``. Functions
never commit: the request owns the transaction.

An offering runs the same admission rules as a new mining application (``rules.assess_offering``;
an open offering holds its place under the caps, ``cap_reservations``); announcing it sets the
notice and the bidding window in working days of the statutory calendar.
"""

from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.mining import Mineral, Scale
from servicekit import clock, workdays
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, Unprocessable, validation_error
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications import rules
from rights_api.applications.service import lock_grants
from rights_api.offerings.models import (
    OPEN,
    GrantBid,
    GrantBidder,
    GrantOffering,
    OfferingState,
)
from rights_api.offerings.schemas import (
    Announce,
    ContractPublic,
    OfferingCreate,
    OfferingFilters,
    OfferingPublic,
    Withdraw,
)
from rights_api.plan import service as plans
from rights_api.plan.schemas import PlannedBlock
from rights_api.versions import touch

FEN = Decimal(100)


def to_fen(yuan: Decimal) -> int:
    return int((yuan * FEN).to_integral_exact())


def to_yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / FEN).quantize(Decimal("0.01"))


async def _block(session: AsyncSession, offering: GrantOffering) -> tuple[str, PlannedBlock]:
    edition = await plans.get_edition(session=session, edition_id=offering.edition_id)
    block = plans.view(edition).content.block(offering.block_id)
    assert block is not None, "an offering's block stays in its edition"
    return edition.code, block


async def get_offering(
    session: AsyncSession,
    offering_id: UUID,
    *,
    for_update: bool = False,
    caller: Principal | None = None,
) -> GrantOffering:
    """404 when missing; for an enterprise also a draft (not yet published)."""
    query = select(GrantOffering).where(GrantOffering.id == offering_id)
    if for_update:
        query = query.with_for_update()
    offering = (await session.exec(query)).first()
    hidden = (
        caller is not None
        and caller.own_holder is not None
        and offering is not None
        and offering.state == OfferingState.draft
    )
    if offering is None or hidden:
        raise NotFound(f"No grant offering {offering_id}.")
    return offering


def require_state(offering: GrantOffering, state: OfferingState, to: str) -> None:
    if offering.state != state:
        raise Conflict(f"Offering {offering.id} is {offering.state}; it must be {state} to {to}.")


async def save(session: AsyncSession, offering: GrantOffering) -> None:
    touch(offering)
    session.add(offering)
    await session.flush()


async def best_bid(session: AsyncSession, offering: GrantOffering) -> GrantBid | None:
    """The best bid: the highest amount; of equal amounts the earlier (lower id)."""
    query = (
        select(GrantBid)
        .where(GrantBid.offering_id == offering.id)
        .order_by(GrantBid.amount_fen.desc(), GrantBid.id)
        .limit(1)
    )
    return (await session.exec(query)).first()


async def judge(
    session: AsyncSession,
    plan: plans.PlanView,
    block: PlannedBlock,
    scale: Scale,
    offering_id: UUID | None = None,
) -> None:
    """The admission rules on the block (422 ``admission-refused`` with every violation), the
    other open offerings holding their places under the caps (``offering_id``: the offering
    judged again, whose own place is not counted twice)."""
    assessment = await rules.assess_offering(
        session=session, block=block, scale=scale, plan=plan, offering_id=offering_id
    )
    if assessment.violations:
        error = Unprocessable(
            f"Planned block {block.id}: {len(assessment.violations)} rule(s) of the plan "
            f"{plan.code} not met: "
            + "; ".join(f"{v.code} ({v.clause})" for v in assessment.violations),
            title="The offering does not meet the plan 不符合规划准入条件",
            violations=[v.model_dump(mode="json") for v in assessment.violations],
            edition=plan.code,
        )
        error.slug = "admission-refused"
        raise error


async def windows(
    session: AsyncSession, offering: GrantOffering, notice_from: date
) -> tuple[date, date, date]:
    """(notice until, bidding from, bidding until) by the offering's edition: the notice runs
    ``notice_workdays`` working days after its publication day (the first day is not counted,
    民法典第二百零一条); bidding opens the next working day and stays open the method's working
    days."""
    edition = await plans.get_edition(session=session, edition_id=offering.edition_id)
    market = plans.view(edition).content.market_grant
    notice_until = await workdays.add_workdays(session, notice_from, market.notice_workdays)
    bidding_from = await workdays.add_workdays(session, notice_until, 1)
    bidding_until = await workdays.add_workdays(
        session, bidding_from, market.bidding_workdays(offering.method) - 1
    )
    return notice_until, bidding_from, bidding_until


async def schedule(session: AsyncSession, offering: GrantOffering, notice_from: date) -> None:
    """The offering's notice from ``notice_from``, and its bidding window."""
    offering.notice_from = notice_from
    (
        offering.notice_until,
        offering.bidding_from,
        offering.bidding_until,
    ) = await windows(session, offering, notice_from)


# --- create, announce, withdraw ------------------------------------------------------------


async def create(
    *, session: AsyncSession, data: OfferingCreate, actor: Principal
) -> tuple[OfferingPublic, plans.PlanView]:
    """The block of the edition in force today, judged by the admission rules (422 with every
    violation, as an application), one open offering per block (409); with that edition."""
    plan = await plans.plan_in_force(session=session, on=clock.local_today())
    block = plan.content.block(data.block_id)
    if block is None:
        known = ", ".join(b.id for b in plan.content.planned_blocks) or "none"
        raise validation_error(
            [
                FieldError(
                    field="body.block_id",
                    message=f"no planned block {data.block_id} in edition {plan.code} ({known})",
                )
            ]
        )
    # creations and awards wait for one another and for approvals that add ground or output,
    # so two of them cannot both pass the caps or the overlap test
    await lock_grants(session)
    clash = await session.scalar(
        select(GrantOffering.id).where(
            GrantOffering.edition_id == plan.id,
            GrantOffering.block_id == block.id,
            GrantOffering.state.in_([s.value for s in OPEN]),
        )
    )
    if clash is not None:
        raise Conflict(f"Block {block.id} already has an open offering {clash}.")
    await judge(session, plan, block, data.scale)
    offering = GrantOffering(
        edition_id=plan.id,
        block_id=block.id,
        mineral=block.mineral.value,
        mine_name=data.mine_name or block.name_zh,
        method=data.method,
        state=OfferingState.draft,
        reserve_price_fen=to_fen(data.reserve_price_yuan),
        deposit_fen=to_fen(data.deposit_yuan),
        min_increment_fen=to_fen(plan.content.market_grant.min_increment_yuan),
        term_years=data.term_years,
        scale_value=data.scale.value,
        scale_unit=data.scale.unit.value,
        key_project=data.key_project,
        key_project_basis=data.basis,
        created_by=actor.subject,
    )
    session.add(offering)
    await session.flush()
    return await public(session=session, offering=offering, caller=actor), plan


async def announce(
    *, session: AsyncSession, offering_id: UUID, data: Announce, actor: Principal
) -> OfferingPublic:
    offering = await get_offering(session, offering_id, for_update=True)
    require_state(offering, OfferingState.draft, "announced")
    if data.notice_from < clock.local_today():
        raise validation_error(
            [FieldError(field="body.notice_from", message="is before today (Beijing time)")]
        )
    await schedule(session, offering, data.notice_from)
    offering.state = OfferingState.announced
    await save(session, offering)
    return await public(session=session, offering=offering, caller=actor)


async def withdraw(
    *, session: AsyncSession, offering_id: UUID, data: Withdraw, actor: Principal
) -> OfferingPublic:
    offering = await get_offering(session, offering_id, for_update=True)
    if offering.state not in OPEN:
        raise Conflict(f"Offering {offering.id} is {offering.state}; only an open one withdraws.")
    offering.state = OfferingState.withdrawn
    offering.withdrawn_reason = data.reason
    offering.closed_at = clock.now()
    await save(session, offering)
    return await public(session=session, offering=offering, caller=actor)


# --- reading -------------------------------------------------------------------------------


async def show(*, session: AsyncSession, offering_id: UUID, caller: Principal) -> OfferingPublic:
    offering = await get_offering(session, offering_id, caller=caller)
    return await public(session=session, offering=offering, caller=caller)


async def list_offerings(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: OfferingFilters
) -> Page[OfferingPublic]:
    query = select(GrantOffering).filter_by(**filters.model_dump(exclude_none=True))
    if caller.own_holder is not None:
        query = query.where(GrantOffering.state != OfferingState.draft.value)
    rows = await paginate(session, query, page, order=(GrantOffering.created_at, GrantOffering.id))
    return rows.with_items(
        [await public(session=session, offering=o, caller=caller) for o in rows.items]
    )


async def public(
    *, session: AsyncSession, offering: GrantOffering, caller: Principal
) -> OfferingPublic:
    edition_code, block = await _block(session, offering)
    bidders = await session.scalar(
        select(func.count()).select_from(GrantBidder).where(GrantBidder.offering_id == offering.id)
    )
    best = None
    if not offering.sealed or caller.own_holder is None:
        found = await best_bid(session, offering)
        best = to_yuan(found.amount_fen) if found is not None else None
    return OfferingPublic(
        id=offering.id,
        edition=edition_code,
        block_id=offering.block_id,
        mineral=Mineral(offering.mineral),
        mine_name=offering.mine_name,
        area_km2=block.area_km2,
        boundary_illustrative=block.illustrative,
        method=offering.method,
        state=offering.state,
        reserve_price_yuan=to_yuan(offering.reserve_price_fen),
        deposit_yuan=to_yuan(offering.deposit_fen),
        min_increment_yuan=to_yuan(offering.min_increment_fen),
        term_years=offering.term_years,
        scale=Scale(value=offering.scale_value, unit=offering.scale_unit),
        key_project=offering.key_project,
        key_project_basis=offering.key_project_basis,
        notice_from=offering.notice_from,
        notice_until=offering.notice_until,
        bidding_from=offering.bidding_from,
        bidding_until=offering.bidding_until,
        bidders=bidders or 0,
        best_bid_yuan=best,
        winner_holder_id=offering.winner_holder_id,
        price_yuan=to_yuan(offering.price_fen),
        decided_on=offering.decided_on,
        reference=offering.reference,
        right_id=offering.right_id,
        contract=ContractPublic.model_validate(offering.contract) if offering.contract else None,
        withdrawn_reason=offering.withdrawn_reason,
        created_at=offering.created_at,
        closed_at=offering.closed_at,
        version=offering.version,
    )
