"""The outbox relay: publishes unsent rows in order and marks them sent once acknowledged.

Order: by outbox id, which per Kafka key is commit order as long as a service locks the
aggregate before writing its event (the usual update-then-publish), so events about one mine
keep their order; a row that commits late is still found, because unsent rows are selected,
never "rows after the last id".

One relay is active per service database: it holds a session-level advisory lock on its own
connection, so replicas wait as standbys and take over when the holder's connection dies. It is
woken by NOTIFY on commit of new rows and also polls, in case a notification is missed.
"""

import asyncio
import json
import logging
from dataclasses import dataclass

import asyncpg

from servicekit.events.broker import Broker, BrokerUnavailable
from servicekit.events.envelope import Record
from servicekit.metrics import ServiceMetrics

log = logging.getLogger("servicekit.relay")
LOCK_KEY = 0x6F7574626F78  # "outbox"
CHANNEL = "outbox"
BATCH = 500
MAX_BACKOFF_SECONDS = 30.0

SELECT_UNSENT = """
SELECT id, topic, key, headers, value FROM outbox
WHERE sent_at IS NULL ORDER BY id LIMIT $1
"""
MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])"
MARK_FAILED = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])
"""


@dataclass
class Row:
    id: int
    record: Record


class Relay:
    def __init__(
        self,
        *,
        dsn: str,
        broker: Broker,
        poll_seconds: float,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.dsn = dsn
        self.broker = broker
        self.poll_seconds = poll_seconds
        self.metrics = metrics
        self.is_leader = False
        self._wake = asyncio.Event()

    async def run(self) -> None:
        """Run forever: wait for the lock, then publish; reconnect on any connection loss."""
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("relay lost its database connection: %s", exc)
            except Exception:
                log.exception("relay failed")
            self._set_leader(False)
            await asyncio.sleep(self.poll_seconds)

    async def _run_once(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):  # noqa: ASYNC110
                await asyncio.sleep(self.poll_seconds)  # another replica relays; stand by
            self._set_leader(True)
            await conn.add_listener(CHANNEL, lambda *_: self._wake.set())
            conn.add_termination_listener(lambda _: self._wake.set())  # lock lost: wake up
            backoff = self.poll_seconds
            while True:
                if conn.is_closed():
                    raise ConnectionError("relay connection closed; the lock is gone")
                self._wake.clear()
                try:
                    sent = await self.publish_pending(conn)
                    backoff = self.poll_seconds
                except BrokerUnavailable as exc:
                    log.warning("broker unavailable, outbox keeps the events: %s", exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                if sent < BATCH:
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                    except TimeoutError:
                        pass
        finally:
            await conn.close(timeout=5)

    async def publish_pending(self, conn: asyncpg.Connection) -> int:
        """Publish one batch of unsent rows; return how many were sent."""
        rows = [
            Row(
                r["id"],
                Record(
                    topic=r["topic"],
                    key=r["key"].encode(),
                    value=bytes(r["value"]),
                    headers=Record.byte_headers(_json(r["headers"])),
                ),
            )
            for r in await conn.fetch(SELECT_UNSENT, BATCH)
        ]
        if not rows:
            return 0
        ids = [row.id for row in rows]
        try:
            await self.broker.send([row.record for row in rows])
        except BrokerUnavailable as exc:
            await conn.execute(MARK_FAILED, ids, str(exc)[:2000])
            raise
        await self.mark_sent(conn, ids)
        if self.metrics is not None:
            for row in rows:
                self.metrics.events_published.labels(row.record.topic).inc()
        return len(rows)

    async def mark_sent(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        await conn.execute(MARK_SENT, ids)

    def _set_leader(self, value: bool) -> None:
        self.is_leader = value
        if self.metrics is not None:
            self.metrics.relay_leader.set(1 if value else 0)


def _json(value: object) -> list[list[str]]:
    return json.loads(value) if isinstance(value, str) else value  # asyncpg returns jsonb as text
