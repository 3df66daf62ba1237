"""What several areas' reads share."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession


async def fetch_all(session: AsyncSession, query: Any) -> list[Any]:
    """Every row ``query`` selects, as a list."""
    return list((await session.exec(query)).all())
