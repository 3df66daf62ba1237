"""What other services report that the named deadlines read: restoration acceptances on mines
and on legacy sites (restoration-api), listings on and off the green-mine list (greenmine-api).
Each handler only writes a row of a read table; a redelivered event changes nothing."""

from contracts.greenmine import MineDelisted, MineListed
from contracts.restoration import AcceptancePassed, LegacySiteAccepted
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.deadlines.models import AcceptanceSeen, GreenListingSeen, LegacyAcceptanceSeen

handlers = Handlers()


async def _remember(session: AsyncSession, table: type[SQLModel], **values: object) -> None:
    """The row, once: a redelivered event (same key) changes nothing."""
    await session.exec(insert(table).values(**values).on_conflict_do_nothing())


@handlers.on(AcceptancePassed)
async def acceptance_passed(
    session: AsyncSession, event: CloudEvent, payload: AcceptancePassed
) -> None:
    await _remember(
        session,
        AcceptanceSeen,
        acceptance_id=payload.acceptance_id,
        right_id=payload.right_id,
        accepted_on=payload.accepted_on,
        closure=payload.closure,
    )


@handlers.on(LegacySiteAccepted)
async def legacy_site_accepted(
    session: AsyncSession, event: CloudEvent, payload: LegacySiteAccepted
) -> None:
    await _remember(
        session,
        LegacyAcceptanceSeen,
        acceptance_id=payload.acceptance_id,
        legacy_site_id=payload.legacy_site_id,
        accepted_area_ha=payload.accepted_area_ha,
        accepted_on=payload.accepted_on,
    )


@handlers.on(MineListed)
async def mine_listed(session: AsyncSession, event: CloudEvent, payload: MineListed) -> None:
    """Listed (or relisted after a rectification: the same listing, its entry date kept)."""
    await _remember(
        session,
        GreenListingSeen,
        listing_id=payload.listing_id,
        right_id=payload.right_id,
        entry_date=payload.entry_date,
        delisted_on=None,
    )


@handlers.on(MineDelisted)
async def mine_delisted(session: AsyncSession, event: CloudEvent, payload: MineDelisted) -> None:
    statement = insert(GreenListingSeen).values(
        listing_id=payload.listing_id,
        right_id=payload.right_id,
        entry_date=payload.delisted_on,  # listed before we heard: at least until its removal
        delisted_on=payload.delisted_on,
    )
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["listing_id"], set_={"delisted_on": payload.delisted_on}
        )
    )
