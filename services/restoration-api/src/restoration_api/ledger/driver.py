"""One statement sent straight to asyncpg on a session's connection, inside its transaction.

SQLAlchemy's way to the driver (execution context, cursor adapter, result object, greenlet hops)
costs about 0.1 ms of CPU per statement over asyncpg's own, a large share of a posting. SQLAlchemy
sends BEGIN lazily, with the first statement it runs itself; when a posting's first statement
comes here instead, BEGIN is sent here, on asyncpg, with the isolation SQLAlchemy would have used,
and the transaction handed to SQLAlchemy's adapter, whose commit or rollback then ends it as if it
had begun it. asyncpg's errors are raised as SQLAlchemy raises them (a constraint violation as
IntegrityError, a lost connection as OperationalError, the connection invalidated), so the
problem handlers and the unit of work answer as for any other statement.
"""

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import asyncpg
from servicekit.errors import UNAVAILABLE_SQLSTATES
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

AUTOCOMMIT = "autocommit"  # the adapter's isolation level on a read session: no BEGIN


async def fetchrow(session: AsyncSession, sql: str, *args: Any) -> Sequence[Any] | None:
    """The first row of ``sql`` (``$n`` placeholders), by position; None when there is none."""
    connection = await _connection(session)
    # the checked-out connection: an attribute, no greenlet hop (get_raw_connection makes one)
    fairy = connection.sync_connection.connection
    driver: asyncpg.Connection = fairy.driver_connection
    try:
        if not driver.is_in_transaction() and fairy.dbapi_connection.isolation_level != AUTOCOMMIT:
            await _begin(fairy.dbapi_connection, driver)
        return await driver.fetchrow(sql, *args)
    except Exception as error:
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        lost = driver.is_closed() or sqlstate.startswith(UNAVAILABLE_SQLSTATES)
        if lost:
            await connection.invalidate()  # the pool replaces it, never hands it out again
        if lost or isinstance(error, (asyncpg.PostgresError, asyncpg.InterfaceError)):
            raise _as_sqlalchemy(connection, sql, args, error, sqlstate, lost) from error
        raise


# the connection a session's transaction holds, once looked up: ``session.connection()`` is a
# greenlet hop through the ORM's bookkeeping, about 40 µs, as much as asyncpg's own statement
_HELD: WeakKeyDictionary[SessionTransaction, AsyncConnection] = WeakKeyDictionary()


async def _connection(session: AsyncSession) -> AsyncConnection:
    transaction = session.sync_session.get_transaction()
    held = None if transaction is None else _HELD.get(transaction)
    if held is not None and transaction.is_active and not held.invalidated:  # type: ignore[union-attr]
        return held
    connection = await session.connection()
    if (transaction := session.sync_session.get_transaction()) is not None:
        _HELD[transaction] = connection
    return connection


async def _begin(adapter: Any, driver: asyncpg.Connection) -> None:
    """BEGIN as ``AsyncAdapt_asyncpg_connection._start_transaction`` sends it; the adapter then
    owns the transaction (SQLAlchemy's COMMIT and ROLLBACK go through ``adapter._transaction``)."""
    assert adapter._transaction is None, "asyncpg is outside the transaction SQLAlchemy holds"
    transaction = driver.transaction(
        isolation=adapter.isolation_level, readonly=adapter.readonly, deferrable=adapter.deferrable
    )
    await transaction.start()
    adapter._transaction = transaction


def _as_sqlalchemy(
    connection: AsyncConnection,
    sql: str,
    args: tuple[Any, ...],
    error: Exception,
    sqlstate: str,
    lost: bool,
) -> exc.DBAPIError:
    kind: type[exc.DBAPIError]
    if lost:  # whatever asyncpg made of it (a FATAL, a reset socket, a confused protocol)
        kind = exc.OperationalError
    elif sqlstate.startswith("22") or isinstance(error, ValueError):
        kind = exc.DataError  # a value the server refused, or asyncpg's check of an argument
    elif isinstance(error, asyncpg.InterfaceError):
        kind = exc.InterfaceError
    elif sqlstate.startswith("23"):
        kind = exc.IntegrityError
    else:
        kind = exc.DBAPIError
    return kind(
        sql,
        args,
        error,
        hide_parameters=connection.sync_engine.hide_parameters,
        connection_invalidated=lost,
    )
