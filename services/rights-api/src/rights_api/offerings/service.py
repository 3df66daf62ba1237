"""Market grant 市场出让 (招拍挂) of planned blocks (第五章第一节, 第五章第二节). Functions never
commit: the request owns the transaction.

An offering runs the same admission rules as a new mining application (``rules.assess_offering``);
announcing it sets the notice and the bidding window in working days of the statutory calendar;
the bureau records bidders with their deposits; bids are taken only while bidding is open; closing
awards the best valid bid (tender: the highest, equal amounts to the earlier bid; auction and
listing: bids ascend by the minimum increment, so the last is the best) or fails (流拍). A sale run
by the trading centre is recorded after the fact. An award signs the grant contract, registers
the right (``grants.grant``: ``rights.right.granted``, filings owed) and publishes
``rights.grant.awarded`` and one ``rights.grant.instalment_due`` with its deadline per instalment.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.deadline import Audience, Deadline
from contracts.mining import LicensingLevel, Mineral, RightKind, RightStatus, Scale
from contracts.rights import GrantAwarded, GrantInstalment, GrantInstalmentDue
from servicekit import clock, workdays
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, Unprocessable, validation_error
from servicekit.events.outbox import publish
from servicekit.pagination import Page, PageParams, paginate
from sqlalchemy import func, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications import rules
from rights_api.applications.service import GRANT_LOCK
from rights_api.grants import service as grants
from rights_api.holders.models import Holder
from rights_api.offerings.models import (
    OPEN,
    GrantBid,
    GrantBidder,
    GrantOffering,
    OfferingMethod,
    OfferingState,
)
from rights_api.offerings.schemas import (
    METHOD_ZH,
    Announce,
    BidCreate,
    BidderCreate,
    BidderPublic,
    BidPublic,
    ContractPublic,
    OfferingCreate,
    OfferingFilters,
    OfferingPublic,
    ResultCreate,
    Withdraw,
)
from rights_api.plan import service as plans
from rights_api.plan.schemas import MarketGrantRules, PlannedBlock
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.rights.schemas import BoundaryInput
from rights_api.rights.spatial import boundary_of, set_boundary
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


async def _market(session: AsyncSession, offering: GrantOffering) -> MarketGrantRules:
    edition = await plans.get_edition(session=session, edition_id=offering.edition_id)
    return plans.view(edition).content.market_grant


# --- create, announce, withdraw ------------------------------------------------------------


async def create(
    *, session: AsyncSession, data: OfferingCreate, actor: Principal
) -> OfferingPublic:
    """The block of the edition in force today, judged by the admission rules (422 with every
    violation, as an application), one open offering per block (409)."""
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
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=GRANT_LOCK))
    clash = await session.scalar(
        select(GrantOffering.id).where(
            GrantOffering.edition_id == plan.id,
            GrantOffering.block_id == block.id,
            GrantOffering.state.in_([s.value for s in OPEN]),
        )
    )
    if clash is not None:
        raise Conflict(f"Block {block.id} already has an open offering {clash}.")
    await _judge(session, plan, block, data.scale)
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
    return await public(session=session, offering=offering, caller=actor)


async def _judge(
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


async def _windows(
    session: AsyncSession, market: MarketGrantRules, method: str, notice_from: date
) -> tuple[date, date, date]:
    """(notice until, bidding from, bidding until): the notice runs ``notice_workdays`` working
    days after its publication day (the first day is not counted, 民法典第二百零一条); bidding
    opens the next working day and stays open the method's working days."""
    notice_until = await workdays.add_workdays(session, notice_from, market.notice_workdays)
    bidding_from = await workdays.add_workdays(session, notice_until, 1)
    bidding_until = await workdays.add_workdays(
        session, bidding_from, market.bidding_workdays(method) - 1
    )
    return notice_until, bidding_from, bidding_until


async def announce(
    *, session: AsyncSession, offering_id: UUID, data: Announce, actor: Principal
) -> OfferingPublic:
    offering = await _get(session, offering_id, for_update=True)
    _require(offering, OfferingState.draft, "announced")
    if data.notice_from < clock.local_today():
        raise validation_error(
            [FieldError(field="body.notice_from", message="is before today (Beijing time)")]
        )
    market = await _market(session, offering)
    offering.notice_from = data.notice_from
    (
        offering.notice_until,
        offering.bidding_from,
        offering.bidding_until,
    ) = await _windows(session, market, offering.method, data.notice_from)
    offering.state = OfferingState.announced
    await _save(session, offering)
    return await public(session=session, offering=offering, caller=actor)


async def withdraw(
    *, session: AsyncSession, offering_id: UUID, data: Withdraw, actor: Principal
) -> OfferingPublic:
    offering = await _get(session, offering_id, for_update=True)
    if offering.state not in OPEN:
        raise Conflict(f"Offering {offering.id} is {offering.state}; only an open one withdraws.")
    offering.state = OfferingState.withdrawn
    offering.withdrawn_reason = data.reason
    offering.closed_at = clock.now()
    await _save(session, offering)
    return await public(session=session, offering=offering, caller=actor)


# --- bidders and bids --------------------------------------------------------------------


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
    offering = await _get(session, offering_id, for_update=True)
    _require(offering, OfferingState.announced, "take bidders")
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


async def _best(session: AsyncSession, offering: GrantOffering) -> GrantBid | None:
    """The best bid: the highest amount; of equal amounts the earlier (lower id)."""
    query = (
        select(GrantBid)
        .where(GrantBid.offering_id == offering.id)
        .order_by(GrantBid.amount_fen.desc(), GrantBid.id)
        .limit(1)
    )
    return (await session.exec(query)).first()


async def bid(
    *, session: AsyncSession, offering_id: UUID, data: BidCreate, actor: Principal
) -> BidPublic:
    """A bid of a registered bidder while bidding is open. Tender: one sealed bid per bidder.
    Auction and listing: the first at least the reserve, each next at least the best plus the
    minimum increment."""
    offering = await _get(session, offering_id, for_update=True, caller=actor)
    actor.ensure_holder(str(data.holder_id))
    _require(offering, OfferingState.announced, "take bids")
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
        best = await _best(session, offering)
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
    return BidPublic(
        id=placed.id,
        holder_id=placed.holder_id,
        amount_yuan=to_yuan(amount),
        placed_at=placed.placed_at,
    )


async def list_bids(
    *, session: AsyncSession, offering_id: UUID, caller: Principal, page: PageParams
) -> Page[BidPublic]:
    """The bureau sees every bid. An enterprise sees its own bids, and others' amounts (without
    the bidder) at an auction or listing, or once a tender is closed: a tender is sealed until."""
    offering = await _get(session, offering_id, caller=caller)
    query = select(GrantBid).where(GrantBid.offering_id == offering.id)
    own = caller.own_holder
    sealed = offering.method == OfferingMethod.tender and offering.state in OPEN
    if own is not None and sealed:
        query = query.where(GrantBid.holder_id == UUID(own))
    rows = await paginate(session, query, page, order=(GrantBid.id,))
    return rows.with_items(
        [
            BidPublic(
                id=b.id,
                holder_id=b.holder_id if own is None or str(b.holder_id) == own else None,
                amount_yuan=to_yuan(b.amount_fen),
                placed_at=b.placed_at,
            )
            for b in rows.items
        ]
    )


# --- close, result, award ------------------------------------------------------------------


async def close(*, session: AsyncSession, offering_id: UUID, actor: Principal) -> OfferingPublic:
    """From the last day of bidding: awarded to the best bid at or above the reserve, else
    failed (流拍)."""
    offering = await _get(session, offering_id, for_update=True)
    _require(offering, OfferingState.announced, "close")
    today = clock.local_today()
    assert offering.bidding_until is not None
    if today < offering.bidding_until:
        raise Conflict(f"Bidding on offering {offering.id} runs until {offering.bidding_until}.")
    offering.state = OfferingState.closed
    offering.closed_at = clock.now()
    best = await _best(session, offering)
    if best is None or best.amount_fen < offering.reserve_price_fen:
        offering.state = OfferingState.failed
        await _save(session, offering)
    else:
        await _award(
            session,
            offering,
            holder_id=best.holder_id,
            price_fen=best.amount_fen,
            decided_on=today,
            reference=None,
            actor=actor,
        )
    return await public(session=session, offering=offering, caller=actor)


async def record_result(
    *, session: AsyncSession, offering_id: UUID, data: ResultCreate, actor: Principal
) -> OfferingPublic:
    """A sale the trading centre ran, recorded after the fact: the dates in order and not
    shorter than the notice and bidding minimums, the price at least the reserve."""
    offering = await _get(session, offering_id, for_update=True)
    if offering.state not in OPEN:
        raise Conflict(f"Offering {offering.id} is {offering.state}; its result is settled.")
    errors = []
    notice_from = offering.notice_from or data.notice_from
    if notice_from is None:
        errors.append(
            FieldError(
                field="body.notice_from",
                message="is required: the offering was not announced here",
            )
        )
    elif offering.notice_from is not None and data.notice_from not in (None, offering.notice_from):
        errors.append(
            FieldError(
                field="body.notice_from",
                message=f"differs from the announced notice ({offering.notice_from})",
            )
        )
    today = clock.local_today()
    if data.decided_on > today:
        errors.append(FieldError(field="body.decided_on", message="is in the future"))
    elif notice_from is not None:
        market = await _market(session, offering)
        _, _, earliest = await _windows(session, market, offering.method, notice_from)
        if data.decided_on < earliest:
            errors.append(
                FieldError(
                    field="body.decided_on",
                    message=f"is before the notice ({notice_from}) and the minimum bidding "
                    f"period could end: the earliest day is {earliest}",
                )
            )
    if to_fen(data.price_yuan) < offering.reserve_price_fen:
        errors.append(
            FieldError(
                field="body.price_yuan",
                message=f"is below the reserve price {to_yuan(offering.reserve_price_fen)}",
            )
        )
    if await session.get(Holder, data.holder_id) is None:
        errors.append(FieldError(field="body.holder_id", message=f"no holder {data.holder_id}"))
    if errors:
        raise validation_error(errors)
    if offering.notice_from is None:
        market = await _market(session, offering)
        offering.notice_from = notice_from
        (
            offering.notice_until,
            offering.bidding_from,
            offering.bidding_until,
        ) = await _windows(session, market, offering.method, notice_from)
    offering.state = OfferingState.closed
    offering.closed_at = clock.now()
    await _award(
        session,
        offering,
        holder_id=data.holder_id,
        price_fen=to_fen(data.price_yuan),
        decided_on=data.decided_on,
        reference=data.reference,
        actor=actor,
    )
    return await public(session=session, offering=offering, caller=actor)


async def _due(session: AsyncSession, day: date) -> date:
    """A due date on a statutory holiday moves to the next working day (民法典第二百零三条)."""
    if await workdays.is_workday(session, day):
        return day
    return await workdays.add_workdays(session, day, 1)


async def _award(
    session: AsyncSession,
    offering: GrantOffering,
    *,
    holder_id: UUID,
    price_fen: int,
    decided_on: date,
    reference: str | None,
    actor: Principal,
) -> None:
    """Judge the block again (the register may have changed since the offering: like an
    approval, under the lock approvals that add ground take), then sign the contract, register
    the right, publish the award and the instalments."""
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=GRANT_LOCK))
    edition = await plans.get_edition(session=session, edition_id=offering.edition_id)
    plan = plans.view(edition)
    edition_code, block = await _block(session, offering)
    scale = Scale(value=offering.scale_value, unit=offering.scale_unit)
    await _judge(session, plan, block, scale, offering.id)
    market = plan.content.market_grant
    holder = await session.get(Holder, holder_id)
    assert holder is not None
    place, _ = boundary_of(
        BoundaryInput.model_validate({"boundary": block.boundary.model_dump(exclude_none=True)})
    )
    granted_on = clock.local_today()
    right = Right(
        licence_no=await rights.next_licence_no(
            session=session, kind=RightKind.mining, on=granted_on
        ),
        kind=RightKind.mining,
        holder_id=holder_id,
        mine_name=offering.mine_name,
        mineral=Mineral(offering.mineral),
        area_km2=block.area_km2,
        scale_value=offering.scale_value,
        scale_unit=offering.scale_unit,
        status=RightStatus.under_construction,
        valid_from=granted_on,
        valid_to=rights.term_end(granted_on, offering.term_years),
        zone=block.id,
        licensing_level=LicensingLevel.city,
        boundary_illustrative=block.illustrative,
    )
    set_boundary(right, place)
    how = METHOD_ZH[offering.method]
    right = await grants.grant(
        session=session,
        right=right,
        actor=actor.subject,
        reason=f"{edition_code}规划{block.id}开采规划区块{how}出让成交（出让{offering.id}）",
        holder_name=holder.name,
    )
    serial = await session.scalar(text("SELECT nextval('grant_contract_serial')"))
    number = f"CR-152501-{decided_on:%Y}-{serial:05d}"
    instalments: list[dict[str, Any]] = []
    left = price_fen
    for n, part in enumerate(market.instalments, start=1):
        last = n == len(market.instalments)
        amount = left if last else int(price_fen * part.percent / 100)
        left -= amount
        due_on = await _due(session, decided_on + timedelta(days=part.due_after_days))
        instalments.append(
            {
                "number": n,
                "percent": str(part.percent),
                "amount_yuan": str(to_yuan(amount)),
                "due_on": due_on.isoformat(),
                "deadline_id": f"rights.grant.{offering.id}.instalment.{n}",
            }
        )
    offering.contract = {
        "number": number,
        "holder_id": str(holder_id),
        "price_yuan": str(to_yuan(price_fen)),
        "signed_on": decided_on.isoformat(),
        "instalments": instalments,
    }
    offering.state = OfferingState.awarded
    offering.winner_holder_id = holder_id
    offering.price_fen = price_fen
    offering.decided_on = decided_on
    offering.reference = reference
    offering.right_id = right.id
    await _save(session, offering)
    subject = str(right.id)
    await publish(
        session,
        GrantAwarded(
            offering_id=offering.id,
            right_id=right.id,
            holder_id=holder_id,
            block_id=block.id,
            mineral=Mineral(offering.mineral),
            method=offering.method,
            price_yuan=to_yuan(price_fen),
            contract_no=number,
            decided_on=decided_on,
            reference=reference,
            key_project=offering.key_project,
            instalments=[
                GrantInstalment(
                    number=i["number"], amount_yuan=i["amount_yuan"], due_on=i["due_on"]
                )
                for i in instalments
            ],
        ),
        subject=subject,
    )
    for i in instalments:
        await publish(
            session,
            GrantInstalmentDue(
                offering_id=offering.id,
                right_id=right.id,
                holder_id=holder_id,
                contract_no=number,
                number=i["number"],
                amount_yuan=i["amount_yuan"],
                deadline=Deadline(
                    id=i["deadline_id"],
                    kind="grant_proceeds",
                    due_at=i["due_on"],
                    subject=subject,
                    audience=Audience(holder_id=str(holder_id)),
                    title_zh=f"{offering.mine_name}采矿权出让收益第{i['number']}期缴纳"
                    f"（合同{number}，{i['amount_yuan']}元）",
                ),
            ),
            subject=subject,
        )


# --- reading -------------------------------------------------------------------------------


def _require(offering: GrantOffering, state: OfferingState, to: str) -> None:
    if offering.state != state:
        raise Conflict(f"Offering {offering.id} is {offering.state}; it must be {state} to {to}.")


async def _save(session: AsyncSession, offering: GrantOffering) -> None:
    touch(offering)
    session.add(offering)
    await session.flush()


async def _get(
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


async def show(*, session: AsyncSession, offering_id: UUID, caller: Principal) -> OfferingPublic:
    offering = await _get(session, offering_id, caller=caller)
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
    sealed = offering.method == OfferingMethod.tender and offering.state in OPEN
    best = None
    if not sealed or caller.own_holder is None:
        found = await _best(session, offering)
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
