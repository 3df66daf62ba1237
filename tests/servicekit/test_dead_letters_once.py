"""sk0008 on a database that already holds a record dead-lettered twice: the copies fold into
the first row, which keeps the earliest replay; other consumers' letters are untouched."""

import asyncio
from datetime import UTC, datetime

from alembic import command
from notifier.app import SERVICE
from servicekit.migrations import alembic_config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

LETTER = """
INSERT INTO dead_letters (consumer, topic, partition, "offset", headers, error, attempts,
                          replayed_at)
VALUES (:consumer, 'rights.events', 0, :offset, '[]', 'ValidationError', 1, :replayed)
"""


async def test_the_upgrade_folds_a_record_dead_lettered_twice_into_its_first_letter(databases):
    url = await databases.create("notifier")
    config = alembic_config(database_url=url, service_versions=SERVICE.migrations)
    await asyncio.to_thread(command.downgrade, config, "sk0007")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for consumer, offset, replayed in [
                ("notifier", 5, None),
                ("notifier", 5, datetime(2026, 12, 1, 8, tzinfo=UTC)),
                ("notifier", 5, datetime(2026, 12, 2, 8, tzinfo=UTC)),
                ("notifier", 6, None),
                ("restoration", 5, None),
            ]:
                await conn.execute(
                    text(LETTER).bindparams(consumer=consumer, offset=offset, replayed=replayed)
                )
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    'SELECT id, consumer, "offset", replayed_at::date::text FROM dead_letters'
                    " ORDER BY id"
                )
            )
            assert [tuple(row) for row in rows] == [
                (1, "notifier", 5, "2026-12-01"),
                (4, "notifier", 6, None),
                (5, "restoration", 5, None),
            ]
    finally:
        await engine.dispose()
