"""Closure applications filed and rejected in rights-api open and cancel closure cases."""

import logging

from contracts.rights import ApplicationFiled, ApplicationRejected
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
