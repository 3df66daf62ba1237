"""Database access: one async engine per service, sessions on asyncpg."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.read_connections import ReadConnections


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, info: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        self.engine = _engine(url, pool_size=pool_size, max_overflow=pool_size)
        # Reads (GET, HEAD) run on their own pool, in autocommit, on connections the server
        # keeps read-only: no BEGIN and COMMIT round trips around a request's SELECTs, and a
        # write slipped into a read fails loudly instead of committing half a change. Under
        # READ COMMITTED every statement takes its own snapshot anyway, so a read sees no less.
        self.reads_engine = _engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
            server_settings={"default_transaction_read_only": "on"},
        )
        # hot reads' own connections (servicekit.hot_reads), opened when first needed
        self.hot_reads = ReadConnections(self.asyncpg_dsn(), size=pool_size)
        # the shared rate limiter's upserts (servicekit.rate_limit), opened when first needed
        self.rate_limits = ReadConnections(
            self.asyncpg_dsn(), size=pool_size, read_only=False, application_name="rate limits"
        )
        # info carries what events.outbox.publish needs: the event source and topic prefix
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, info=info or {}
        )
        self.read_sessions = async_sessionmaker(
            self.reads_engine, class_=AsyncSession, expire_on_commit=False, info=info or {}
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
        await self.reads_engine.dispose()
        await self.hot_reads.close()
        await self.rate_limits.close()

    def asyncpg_dsn(self) -> str:
        """The URL in the form asyncpg.connect() takes, for the relay's LISTEN connection."""
        return make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _engine(
    url: str,
    *,
    pool_size: int,
    max_overflow: int,
    isolation_level: str | None = None,
    server_settings: dict[str, str] | None = None,
) -> AsyncEngine:
    connect_args: dict[str, Any] = {"timeout": 5, "command_timeout": 30}
    if server_settings:
        connect_args["server_settings"] = server_settings
    options: dict[str, Any] = {"isolation_level": isolation_level} if isolation_level else {}
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=10,
        connect_args=connect_args,
        # an error's message names the SQL but not the values: they may be secrets (a
        # webhook's signing key) or personal data, and error messages end up in logs
        hide_parameters=True,
        **options,
    )
    event.listen(engine.sync_engine.pool, "checkout", _ping)
    return engine


def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A connection the server dropped is replaced, never handed to a request (without this the
    first request after a failover or pg_terminate_backend would answer 503: the e2e
    database-outage test caught exactly that). No round trip: the event loop reads a pooled
    connection's socket while it idles, so a terminated backend's goodbye (or the socket's close)
    has already marked the asyncpg connection closed by the time it is checked out."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("pooled connection closed by the server")  # the pool retries
