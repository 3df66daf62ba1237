"""Events from rights-api and restoration-api (第六章第一节: title not transferable; closure
or violations end a listing). Each handler is safe to run twice on its own, too."""

from contracts.restoration import RectificationOverdue
from contracts.rights import ComplianceOverdue, MineClosed, RightGranted, RightTransferred
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.dates import local_today
from greenmine_api.listings import service as listings
from greenmine_api.mines import service as mines
from greenmine_api.mines.models import Mine

handlers = Handlers()


@handlers.on(RightGranted)
async def right_granted(session: AsyncSession, event: CloudEvent, payload: RightGranted) -> None:
    await mines.record_grant(session, payload)
    if payload.reference:
        await listings.apply_reference_listings(session=session, today=local_today(event.time))


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    mine = await session.get(Mine, payload.right_id, with_for_update=True)
    if mine is not None:  # a right granted before this service kept a projection has none
        mine.holder_id, mine.holder_name = payload.to_holder_id, payload.to_holder_name
        session.add(mine)
    await listings.end_for_right(
        session=session,
        right_id=payload.right_id,
        reason="transferred",
        today=local_today(payload.transferred_at),
        detail=f"transferred to {payload.to_holder_name or payload.to_holder_id}",
    )


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    mine = await session.get(Mine, payload.right_id, with_for_update=True)
    if mine is not None:
        mine.status, mine.closed_at = payload.status.value, payload.closed_at
        session.add(mine)
    await listings.end_for_right(
        session=session,
        right_id=payload.right_id,
        reason="mine_closed",
        today=local_today(payload.closed_at),
        detail=payload.reason,
    )


async def _violation_case(session: AsyncSession, right_id, reason: str, event: CloudEvent) -> None:
    """An overdue order elsewhere: benefits suspended and the bureau's case opened."""
    listing = await listings.active_for_right(session, right_id)
    if listing is None:
        return
    await listings.order_rectification(
        session=session,
        listing=listing,
        reason=reason,
        today=local_today(event.time),
        detail=f"event {event.id}",
    )


@handlers.on(ComplianceOverdue)
async def compliance_overdue(
    session: AsyncSession, event: CloudEvent, payload: ComplianceOverdue
) -> None:
    await _violation_case(session, payload.right_id, "compliance_overdue", event)


@handlers.on(RectificationOverdue)
async def restoration_overdue(
    session: AsyncSession, event: CloudEvent, payload: RectificationOverdue
) -> None:
    await _violation_case(session, payload.right_id, "restoration_rectification_overdue", event)
