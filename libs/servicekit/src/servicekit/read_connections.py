"""The connections hot reads run on (servicekit.hot_reads): plain asyncpg connections, read-only
on the server, handed out most recently used first, at most ``size`` at a time. The shared rate
limiter (servicekit.rate_limit) runs its one upsert per request on a writable set of the same.

Not asyncpg's Pool: for every checkout it schedules a task to take the connection back, arms an
inactivity timer and runs a reset query, which together cost more than the primary-key SELECT a
hot read makes. A hot read needs none of it: its one read-only statement runs in autocommit and
leaves nothing behind on the connection (no transaction, lock, cursor, LISTEN or setting).
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

APPLICATION_NAME = "hot reads"


class CannotConnect(ConnectionError):
    """The database refused or did not answer a new connection."""


class ReadConnections:
    def __init__(
        self,
        dsn: str,
        size: int,
        *,
        read_only: bool = True,
        application_name: str = APPLICATION_NAME,
    ) -> None:
        self._dsn = dsn
        self._server_settings = {
            "default_transaction_read_only": "on" if read_only else "off",
            "application_name": application_name,  # told apart in pg_stat_activity
        }
        self._idle: list[asyncpg.Connection] = []
        self._size = size
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    @asynccontextmanager
    async def connection(self, *, fresh: bool = False) -> AsyncIterator[asyncpg.Connection]:
        """An idle connection, else a new one; ``fresh``: a new one."""
        async with self._slots:
            conn = (None if fresh else self._take_idle()) or await self._connect()
            try:
                yield conn
            except BaseException:
                conn.terminate()  # in an unknown state, e.g. a statement cancelled midway
                raise
            if self._closed:
                await conn.close()
                return
            if len(self._idle) >= self._size:  # a fresh one was opened while these sat idle
                self._idle.pop(0).terminate()
            self._idle.append(conn)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()

    def _take_idle(self) -> asyncpg.Connection | None:
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():  # closed: the server ended it while idle
                return conn
        return None

    async def _connect(self) -> asyncpg.Connection:
        try:
            conn = await asyncpg.connect(
                self._dsn,
                timeout=5,
                command_timeout=30,
                server_settings=self._server_settings,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise CannotConnect(str(exc)) from exc
        for name in ("json", "jsonb"):  # decoded, as SQLAlchemy's dialect does; asyncpg gives text
            await conn.set_type_codec(
                name, schema="pg_catalog", encoder=json.dumps, decoder=json.loads
            )
        return conn
