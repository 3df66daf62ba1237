"""A versioned record's next version: every change bumps ``version`` (its ETag) and
``updated_at`` together."""

from datetime import datetime
from typing import Protocol

from servicekit import clock
from sqlmodel.ext.asyncio.session import AsyncSession


class Versioned(Protocol):
    version: int
    updated_at: datetime


def touch(record: Versioned, at: datetime | None = None) -> None:
    record.version += 1
    record.updated_at = at or clock.now()


async def save_new_version(session: AsyncSession, record: Versioned) -> None:
    """``record`` changed now: its next version, written (flushed) in the caller's transaction."""
    touch(record)
    session.add(record)
    await session.flush()
