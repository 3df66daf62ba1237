"""The active plan edition, and the bureau's one setting on it (the publicity length)."""

from datetime import date

from servicekit.concurrency import require_if_match
from servicekit.errors import Conflict
from servicekit.lookup import get_or_404
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.editions.models import Edition
from greenmine_api.queries import save


async def active(session: AsyncSession) -> Edition:
    edition = await active_or_none(session)
    if edition is None:
        raise Conflict("No plan edition is loaded (run mineadmin seed).")
    return edition


async def active_or_none(session: AsyncSession) -> Edition | None:
    return (
        await session.exec(
            select(Edition).where(Edition.active).order_by(Edition.period_start.desc())
        )
    ).first()


async def get(*, session: AsyncSession, code: str, for_update: bool = False) -> Edition:
    return await get_or_404(session, Edition, code, what="plan edition", for_update=for_update)


async def set_publicity_workdays(
    *, session: AsyncSession, code: str, workdays: int, if_match: str | None
) -> Edition:
    edition = await get(session=session, code=code, for_update=True)
    require_if_match(if_match, edition.version)
    edition.publicity_workdays = workdays
    edition.version += 1
    return await save(session, edition)


async def load(*, session: AsyncSession, data: dict) -> None:
    """The seed's edition, once."""
    if await session.get(Edition, data["code"]) is not None:
        return
    for field in ("period_start", "period_end"):
        data[field] = date.fromisoformat(data[field])
    await save(session, Edition(**data))
