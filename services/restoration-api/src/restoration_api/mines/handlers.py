"""What rights-api's events change here: the rights projection, funds, closure cases."""

import logging

from contracts.rights import (
    ApplicationFiled,
    ApplicationRejected,
    MineClosed,
    RightGranted,
    RightStatusChanged,
    RightSuspended,
    RightTransferred,
)
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger import service as ledger
from restoration_api.mines.models import Mine
from restoration_api.plans.models import Obligation
from restoration_api.rectification.models import Rectification
from restoration_api.works import service as works

log = logging.getLogger("restoration_api.mines")
handlers = Handlers()


@handlers.on(RightGranted)
async def right_granted(session: AsyncSession, event: CloudEvent, payload: RightGranted) -> None:
    mine = await session.get(Mine, payload.right_id)
    if mine is not None and mine.updated_at > payload.granted_at:
        return  # an old grant replayed after later news about the right: keep the news
    mine = mine or Mine(right_id=payload.right_id)
    mine.holder_id = payload.holder_id
    mine.holder_name = payload.holder_name
    mine.licence_no = payload.licence_no
    mine.mine_name = payload.mine_name
    mine.kind = payload.kind
    mine.mineral = payload.mineral
    mine.method = payload.method
    mine.status = payload.status
    mine.area_km2 = payload.area_km2
    mine.reference = payload.reference
    mine.updated_at = payload.granted_at
    session.add(mine)
    await session.flush()
    if payload.kind == "mining":  # exploration rights keep no restoration fund
        await ledger.open_mine_fund(session=session, mine=mine, now=payload.granted_at)


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    mine = await session.get(Mine, payload.right_id)
    if mine is None:
        return  # a right granted before this service existed: the reference load brings it
    mine.holder_id, mine.holder_name = payload.to_holder_id, payload.to_holder_name
    mine.updated_at = payload.transferred_at
    session.add(mine)
    # the fund and the open duties follow the right: the new holder answers for the land
    await ledger.change_holder(
        session=session, right_id=payload.right_id, holder_id=payload.to_holder_id
    )
    for table, done in ((Obligation, "submitted"), (Rectification, "resolved")):
        await session.exec(
            update(table)
            .where(table.right_id == payload.right_id, table.status != done)
            .values(holder_id=payload.to_holder_id)
        )


async def _set_status(session: AsyncSession, right_id, status: str, at) -> Mine | None:
    mine = await session.get(Mine, right_id)
    if mine is not None:
        mine.status, mine.updated_at = status, at
        session.add(mine)
    return mine


@handlers.on(RightSuspended)
async def right_suspended(
    session: AsyncSession, event: CloudEvent, payload: RightSuspended
) -> None:
    await _set_status(session, payload.right_id, "suspended", payload.suspended_at)


@handlers.on(RightStatusChanged)
async def status_changed(
    session: AsyncSession, event: CloudEvent, payload: RightStatusChanged
) -> None:
    await _set_status(session, payload.right_id, payload.to_status, payload.changed_at)


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    if await _set_status(session, payload.right_id, payload.status, payload.closed_at):
        await works.close_fund_if_done(
            session=session, right_id=payload.right_id, now=payload.closed_at
        )


@handlers.on(ApplicationFiled)
async def application_filed(
    session: AsyncSession, event: CloudEvent, payload: ApplicationFiled
) -> None:
    if payload.kind == "closure" and payload.right_id is not None:
        if await session.get(Mine, payload.right_id) is None:
            log.warning("closure application %s for unknown right %s", payload.application_id,
                        payload.right_id)  # fmt: skip
            return
        await works.open_closure_case(
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
        await works.cancel_closure_case(
            session=session, application_id=payload.application_id, now=payload.decided_at
        )
