"""The integrity record is built by consuming events from every producing service: rights-api's
own (filings, compliance orders, inspections and patrols, suspensions, revocations),
restoration-api's (rectifications, fund shortfalls) and greenmine-api's (listing, removal,
rectifications). Which events count and how: ``rules.py``."""

from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.integrity import rules, service

handlers = Handlers()


async def record(session: AsyncSession, event: CloudEvent, payload) -> None:
    """One entry per event (idempotent on the CloudEvent id), in the event's transaction."""
    await service.record_event(session=session, event=event, payload=payload)


for _payload in rules.RULES:
    handlers.on(_payload)(record)
