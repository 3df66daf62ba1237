"""What rights-api's events change in the funds. ``mining_rights.handlers`` ran first, so the
read model already holds the right as the event left it (or as later news did)."""

from contracts.rights import MineClosed, RightGranted
from mining_rights import MiningRight
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger import service
from restoration_api.rights import following_holder

# a right transferred: the fund follows it to the new holder
handlers = following_holder(service.follow_holder)


@handlers.on(RightGranted)
async def right_granted(session: AsyncSession, event: CloudEvent, payload: RightGranted) -> None:
    mine = await session.get(MiningRight, payload.right_id)
    if mine is not None and mine.kind == "mining":  # exploration rights keep no fund
        await service.open_mine_fund(session=session, mine=mine, now=payload.granted_at)


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    await service.close_fund_if_done(
        session=session, right_id=payload.right_id, now=payload.closed_at
    )
