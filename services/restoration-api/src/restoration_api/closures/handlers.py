"""Closure applications filed and rejected in rights-api open and cancel closure cases; the
bureau ending a right (revoked, policy_closed, expired) opens one too: every ending leads into
the same closure path."""

import logging

from contracts.rights import (
    ApplicationFiled,
    ApplicationRejected,
    RightExpired,
    RightPolicyClosed,
    RightRevoked,
)
from mining_rights import MiningRight
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.closures import service

log = logging.getLogger("restoration_api.closures")
handlers = Handlers()


@handlers.on(ApplicationFiled)
async def application_filed(
    session: AsyncSession, event: CloudEvent, payload: ApplicationFiled
) -> None:
    if payload.kind != "closure" or payload.right_id is None:
        return
    if await session.get(MiningRight, payload.right_id) is None:
        log.warning("closure application %s for unknown right %s", payload.application_id,
                    payload.right_id)  # fmt: skip
        return
    await service.open_closure_case(
        session=session,
        right_id=payload.right_id,
        application_id=payload.application_id,
        holder_id=payload.holder_id,
        now=payload.filed_at,
    )


@handlers.on(ApplicationRejected)
async def application_rejected(
    session: AsyncSession, event: CloudEvent, payload: ApplicationRejected
) -> None:
    if payload.kind == "closure":
        await service.cancel_closure_case(
            session=session, application_id=payload.application_id, now=payload.decided_at
        )


Ended = RightRevoked | RightPolicyClosed | RightExpired
ENDING_CAUSES = {
    RightRevoked: "revoked",
    RightPolicyClosed: "policy_closed",
    RightExpired: "expired",
}


async def right_ended(session: AsyncSession, event: CloudEvent, payload: Ended) -> None:
    """The bureau ended the right: its closure restoration and acceptance follow
    (第六章第二节三)."""
    if await session.get(MiningRight, payload.right_id) is None:
        log.warning("%s for unknown right %s", event.type, payload.right_id)
        return
    await service.open_closure_case(
        session=session,
        right_id=payload.right_id,
        holder_id=payload.holder_id,
        now=payload.ended_at,
        cause=ENDING_CAUSES[type(payload)],
        cause_id=payload.ending_id,
    )


for _ending in ENDING_CAUSES:
    handlers.on(_ending)(right_ended)
