"""Change stamps: a number per set of tables that changes whenever a committed write touched
one of them, cheap to read, kept by the database itself.

Every covered table has a statement-level trigger (``track``, created by the service's
migrations, so no write path can forget it) that logs one row per (table, transaction) in
``change_log``, in the writer's own transaction: a rollback logs nothing. The stamp of a set of
tables is the number of logged transactions, ``change_totals`` (what compaction has folded in)
plus the rows still in ``change_log``, read in one statement, so under one snapshot. It only
ever grows, and it grows with every commit that wrote a covered table.

Append-only on purpose: a counter row bumped by every writer would hold a row lock from the
writer's first statement to its commit, serialising the writers of a table (ledger postings)
and, across two tables taken in opposite orders, deadlocking them. An insert keyed by the
writer's own transaction id waits for nobody. ``compact`` folds the log into the totals, in
one transaction, so a reader sees either the rows or their count, never both or neither.
"""

import asyncio
import logging
from collections.abc import Iterable, Sequence

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.db import Database

log = logging.getLogger("servicekit.change_stamps")

# one compaction at a time per database (the others skip their round); jobs.lock_key's space
# is sha256-derived, so a small constant cannot collide with a job's key in practice
_COMPACT_LOCK = 7256830

_STAMP = text(
    "SELECT coalesce((SELECT sum(changes) FROM change_totals WHERE table_name = ANY(:tables)), 0)"
    " + (SELECT count(*) FROM change_log WHERE table_name = ANY(:tables))"
)

_COMPACT = text(
    """
    WITH gone AS (DELETE FROM change_log RETURNING table_name)
    INSERT INTO change_totals (table_name, changes)
    SELECT table_name, count(*) FROM gone GROUP BY table_name ORDER BY table_name
    ON CONFLICT (table_name) DO UPDATE SET changes = change_totals.changes + EXCLUDED.changes
    """
)


async def read(session: AsyncSession, tables: Sequence[str]) -> int:
    """The stamp of ``tables``: changes when, and only when, a write to one of them commits."""
    return int((await session.exec(_STAMP.bindparams(tables=list(tables)))).scalar_one())


async def compact(db: Database) -> None:
    async with db.engine.begin() as conn:
        locked = await conn.scalar(text(f"SELECT pg_try_advisory_xact_lock({_COMPACT_LOCK})"))
        if locked:
            await conn.execute(_COMPACT)


# past any number of transactions between a backup and the loss of the server
RESTORE_JUMP = 1 << 40

_JUMP = text(
    """
    INSERT INTO change_totals (table_name, changes)
    SELECT DISTINCT c.relname, CAST(:jump AS bigint)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE t.tgfoid = to_regproc('track_change')
    ON CONFLICT (table_name) DO UPDATE SET changes = change_totals.changes + EXCLUDED.changes
    """
)


async def after_restore(db: Database) -> None:
    """A restored database has the backup's stamps, lower than ones clients were given since:
    counting up again would reach them with other bodies, and a stale ETag would get a 304.
    Every tracked table's stamp jumps past any value it can have had (``mineadmin
    after-restore``)."""
    async with db.engine.begin() as conn:
        await conn.execute(_JUMP, {"jump": RESTORE_JUMP})


async def run(db: Database, *, every_seconds: float) -> None:
    """Compaction, every ``every_seconds``: the log holds one row per writing transaction."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await compact(db)
        except Exception:
            log.exception("change-stamp compaction failed; next round as usual")


# --- for migrations -------------------------------------------------------------------------

# a service's migration (depending on servicekit's sk0007, which makes change_log,
# change_totals and track_change()) calls track() for each table a cached answer is built from.
# Migrations that have run import these two: what they return must never change, or an old
# migration would build a fresh database differently from the ones it already built. Tracking
# that works otherwise is a new function for new migrations.


def track(tables: Iterable[str]) -> list[str]:
    """The statements that make every write to ``tables`` change their stamp."""
    return [
        f"CREATE TRIGGER {table}_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION track_change()"
        for table in tables
    ]


def untrack(tables: Iterable[str]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_changes ON {table}" for table in tables]
