"""What several areas' reads and writes share."""

from typing import Any, TypeVar

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


async def fetch_all(session: AsyncSession, query: Any) -> list[Any]:
    """Every row ``query`` selects, as a list."""
    return list((await session.exec(query)).all())


async def save(session: AsyncSession, row: Row) -> Row:
    """Add ``row`` and flush it (ids and defaults filled, constraints checked now); ``row``."""
    session.add(row)
    await session.flush()
    return row
