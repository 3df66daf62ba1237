"""Forgetting what is no longer needed: old idempotency keys, sent outbox rows, inbox rows,
rate-limit state that has run out.
Safe on every replica at once (plain deletes by age)."""

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, func

from servicekit import idempotency, rate_limit
from servicekit.db import Database
from servicekit.tables import inbox, outbox

log = logging.getLogger("servicekit.housekeeping")
EVERY = timedelta(hours=1)
OUTBOX_RETENTION = timedelta(days=7)
INBOX_RETENTION = timedelta(days=30)  # well beyond Kafka's retention: a redelivery is recognised


async def purge(db: Database, *, idempotency_retention_hours: int) -> None:
    await idempotency.purge_expired(db, idempotency_retention_hours)
    await rate_limit.purge_expired(db.rate_limits)
    async with db.transaction() as session:
        await session.exec(delete(outbox).where(outbox.c.sent_at < func.now() - OUTBOX_RETENTION))
        await session.exec(delete(inbox).where(inbox.c.processed_at < func.now() - INBOX_RETENTION))


async def run(db: Database, *, idempotency_retention_hours: int) -> None:
    while True:
        try:
            await purge(db, idempotency_retention_hours=idempotency_retention_hours)
        except Exception:
            log.exception("housekeeping failed; next round in an hour")
        await asyncio.sleep(EVERY.total_seconds())
