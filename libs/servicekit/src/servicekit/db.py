"""Database access: one async engine per service, sessions on asyncpg."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, info: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,  # a connection dropped by the server is replaced, not reused
            pool_timeout=10,
            connect_args={"timeout": 5, "command_timeout": 30},
            # an error's message names the SQL but not the values: they may be secrets (a
            # webhook's signing key) or personal data, and error messages end up in logs
            hide_parameters=True,
        )
        # info carries what events.outbox.publish needs: the event source and topic prefix
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, info=info or {}
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends and rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()

    def asyncpg_dsn(self) -> str:
        """The URL in the form asyncpg.connect() takes, for the relay's LISTEN connection."""
        return make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
