"""The mine projection and the active plan edition."""

from datetime import UTC, datetime
from uuid import UUID

from contracts.rights import RightGranted
from servicekit.errors import Conflict, NotFound
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.mines.models import Edition, Mine


async def active_edition(session: AsyncSession) -> Edition:
    edition = (
        await session.exec(
            select(Edition).where(Edition.active).order_by(Edition.period_start.desc())
        )
    ).first()
    if edition is None:
        raise Conflict("No plan edition is loaded (run mineadmin seed).")
    return edition


async def get_edition(session: AsyncSession, code: str, *, for_update: bool = False) -> Edition:
    edition = await session.get(Edition, code, with_for_update=for_update)
    if edition is None:
        raise NotFound(f"No plan edition {code}.")
    return edition


async def get_mine(session: AsyncSession, right_id: UUID, *, for_update: bool = False) -> Mine:
    mine = await session.get(Mine, right_id, with_for_update=for_update)
    if mine is None:
        raise NotFound(f"greenmine-api knows no mining right {right_id} (rights.right.granted).")
    return mine


async def record_grant(session: AsyncSession, payload: RightGranted) -> Mine:
    """Insert or refresh the projection; a new mining right is obliged to meet the standard."""
    mine = await session.get(Mine, payload.right_id, with_for_update=True)
    if mine is None:
        mine = Mine(
            right_id=payload.right_id,
            holder_id=payload.holder_id,
            mine_name=payload.mine_name,
            licence_no=payload.licence_no,
            kind=payload.kind.value,
            mineral=payload.mineral.value,
            status=payload.status.value,
            reference=payload.reference,
            obliged=payload.kind.value == "mining" and not payload.reference,
            granted_at=payload.granted_at,
        )
    mine.holder_id, mine.holder_name = payload.holder_id, payload.holder_name
    mine.mine_name, mine.status = payload.mine_name, payload.status.value
    mine.updated_at = datetime.now(UTC)
    session.add(mine)
    await session.flush()
    return mine
