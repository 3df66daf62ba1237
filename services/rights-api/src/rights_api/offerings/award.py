"""The end of a market grant offering: closing (awarded to the best valid bid, equal tender
amounts to the earlier bid, or failed 流拍), a sale the trading centre ran recorded after the
fact, and the award: the grant contract, the right registered (``grants.grant``:
``rights.right.granted``, filings owed), ``rights.grant.awarded`` and one
``rights.grant.instalment_due`` with its deadline per instalment. Functions never commit."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from contracts.deadline import Audience, Deadline
from contracts.mining import LicensingLevel, Mineral, RightKind, RightStatus, Scale
from contracts.rights import GrantAwarded, GrantInstalment, GrantInstalmentDue
from servicekit import clock, workdays
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.events.outbox import publish
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.service import lock_grants
from rights_api.grants import service as grants
from rights_api.holders.models import Holder
from rights_api.offerings.models import OPEN, GrantOffering, OfferingState
from rights_api.offerings.schemas import METHOD_ZH, OfferingPublic, ResultCreate
from rights_api.offerings.service import (
    best_bid,
    get_offering,
    judge,
    public,
    require_state,
    save,
    schedule,
    to_fen,
    to_yuan,
    windows,
)
from rights_api.plan import service as plans
from rights_api.plan.schemas import MarketGrantRules, PlannedBlock
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.rights.schemas import BoundaryInput
from rights_api.rights.spatial import boundary_of, set_boundary


async def close(*, session: AsyncSession, offering_id: UUID, actor: Principal) -> OfferingPublic:
    """From the last day of bidding: awarded to the best bid at or above the reserve, else
    failed (流拍)."""
    offering = await get_offering(session, offering_id, for_update=True)
    require_state(offering, OfferingState.announced, "close")
    today = clock.local_today()
    assert offering.bidding_until is not None
    if today < offering.bidding_until:
        raise Conflict(f"Bidding on offering {offering.id} runs until {offering.bidding_until}.")
    offering.state = OfferingState.closed
    offering.closed_at = clock.now()
    best = await best_bid(session, offering)
    if best is None or best.amount_fen < offering.reserve_price_fen:
        offering.state = OfferingState.failed
        await save(session, offering)
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
    offering = await get_offering(session, offering_id, for_update=True)
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
        _, _, earliest = await windows(session, offering, notice_from)
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
        await schedule(session, offering, notice_from)
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
    approval, under the lock approvals that add ground take), then register the right, sign
    the contract, publish the award and the instalments."""
    await lock_grants(session)
    edition = await plans.get_edition(session=session, edition_id=offering.edition_id)
    plan = plans.view(edition)
    block = plan.content.block(offering.block_id)
    assert block is not None, "an offering's block stays in its edition"
    scale = Scale(value=offering.scale_value, unit=offering.scale_unit)
    await judge(session, plan, block, scale, offering.id)
    right = await _register(session, offering, plan.code, block, holder_id, actor)
    offering.contract = await _contract(
        session, offering, plan.content.market_grant, holder_id, price_fen, decided_on
    )
    offering.state = OfferingState.awarded
    offering.winner_holder_id = holder_id
    offering.price_fen = price_fen
    offering.decided_on = decided_on
    offering.reference = reference
    offering.right_id = right.id
    await save(session, offering)
    await _publish_award(session, offering, block.id)


async def _register(
    session: AsyncSession,
    offering: GrantOffering,
    edition_code: str,
    block: PlannedBlock,
    holder_id: UUID,
    actor: Principal,
) -> Right:
    """The won block registered as a city-licensed mining right under construction."""
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
    return await grants.grant(
        session=session,
        right=right,
        actor=actor.subject,
        reason=f"{edition_code}规划{block.id}开采规划区块{how}出让成交（出让{offering.id}）",
        holder_name=holder.name,
    )


async def _contract(
    session: AsyncSession,
    offering: GrantOffering,
    market: MarketGrantRules,
    holder_id: UUID,
    price_fen: int,
    decided_on: date,
) -> dict[str, Any]:
    """The grant contract: its number, the price, and the instalments of the grant proceeds by
    the edition's schedule (the last takes the rounding), each due on a working day."""
    serial = await session.scalar(text("SELECT nextval('grant_contract_serial')"))
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
    return {
        "number": f"CR-152501-{decided_on:%Y}-{serial:05d}",
        "holder_id": str(holder_id),
        "price_yuan": str(to_yuan(price_fen)),
        "signed_on": decided_on.isoformat(),
        "instalments": instalments,
    }


async def _publish_award(session: AsyncSession, offering: GrantOffering, block_id: str) -> None:
    """``rights.grant.awarded``, then one ``rights.grant.instalment_due`` per instalment with
    its deadline for the holder, keyed by the new right."""
    contract = offering.contract
    assert contract is not None and offering.right_id is not None
    assert offering.winner_holder_id is not None and offering.decided_on is not None
    number, instalments = contract["number"], contract["instalments"]
    subject = str(offering.right_id)
    await publish(
        session,
        GrantAwarded(
            offering_id=offering.id,
            right_id=offering.right_id,
            holder_id=offering.winner_holder_id,
            block_id=block_id,
            mineral=Mineral(offering.mineral),
            method=offering.method,
            price_yuan=to_yuan(offering.price_fen),
            contract_no=number,
            decided_on=offering.decided_on,
            reference=offering.reference,
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
                right_id=offering.right_id,
                holder_id=offering.winner_holder_id,
                contract_no=number,
                number=i["number"],
                amount_yuan=i["amount_yuan"],
                deadline=Deadline(
                    id=i["deadline_id"],
                    kind="grant_proceeds",
                    due_at=i["due_on"],
                    subject=subject,
                    audience=Audience(holder_id=str(offering.winner_holder_id)),
                    title_zh=f"{offering.mine_name}采矿权出让收益第{i['number']}期缴纳"
                    f"（合同{number}，{i['amount_yuan']}元）",
                ),
            ),
            subject=subject,
        )
