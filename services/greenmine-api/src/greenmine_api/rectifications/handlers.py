"""An overdue order elsewhere (rights-api's compliance order, restoration-api's rectification):
the listed mine's benefits are suspended and the bureau's case opened."""

from contracts.restoration import RectificationOverdue
from contracts.rights import ComplianceOverdue
from servicekit import clock
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.rectifications import service

handlers = Handlers()


@handlers.on(ComplianceOverdue)
async def compliance_overdue(
    session: AsyncSession, event: CloudEvent, payload: ComplianceOverdue
) -> None:
    await _violation_case(session, event, payload.right_id, "compliance_overdue")


@handlers.on(RectificationOverdue)
async def restoration_overdue(
    session: AsyncSession, event: CloudEvent, payload: RectificationOverdue
) -> None:
    await _violation_case(session, event, payload.right_id, "restoration_rectification_overdue")


async def _violation_case(session: AsyncSession, event: CloudEvent, right_id, reason: str) -> None:
    await service.order_if_listed(
        session=session,
        right_id=right_id,
        reason=reason,
        today=clock.local_today(event.time),
        detail=f"event {event.id}",
    )
