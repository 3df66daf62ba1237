"""Events that end or pause a right: restoration-api's rectification overdue and resolved, and
the closure acceptance of a right the bureau ended."""

from contracts.restoration import AcceptancePassed, RectificationOverdue, RectificationResolved
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.endings import service

handlers = Handlers()


@handlers.on(RectificationOverdue)
async def rectification_overdue(
    session: AsyncSession, event: CloudEvent, payload: RectificationOverdue
) -> None:
    """逾期不能达标的，实行停产整治 (第六章第二节二): suspended until the rectification is met."""
    await service.hold_for_rectification(session=session, payload=payload, source=event.source)


@handlers.on(RectificationResolved)
async def rectification_resolved(
    session: AsyncSession, event: CloudEvent, payload: RectificationResolved
) -> None:
    await service.lift_rectification(session=session, payload=payload, source=event.source)


@handlers.on(AcceptancePassed)
async def closure_accepted(
    session: AsyncSession, event: CloudEvent, payload: AcceptancePassed
) -> None:
    """An ended right is closed only after its closure restoration passes acceptance."""
    await service.close_after_acceptance(session=session, payload=payload, source=event.source)
