"""After a service's database is restored from a backup: what it had published that the backup
does not hold, and the replay of what it consumed after the backup point.

Every event a service acknowledged a write with is on its Kafka topic (the outbox row commits
with the write; the relay publishes it), and Kafka keeps it for the topic's retention, longer
than the time between two backups. So the topics are the record of the time since the backup:

- ``lost_writes``: events on the service's own topic since the backup point that the restored
  outbox does not hold. Each is a write the service acknowledged and then lost with the failed
  server. They are reported, never re-applied on their own: the operator re-enters them (the
  event carries the data) or tells the client who made them.
- ``rewind``: the service's consumer group set back to the first record at or after the backup
  point, so the restarted consumers read everything since then again. The restored inbox holds
  each event applied before the backup, and those are skipped; the rest are applied once.
  Run it while the service is stopped: a group with live members refuses the commit.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from contracts import registry
from sqlalchemy import select

from servicekit.db import Database
from servicekit.settings import ServiceSettings
from servicekit.spec import ServiceSpec
from servicekit.tables import outbox


@dataclass(frozen=True)
class Published:
    event_id: str
    type: str
    subject: str | None
    time: str | None
    topic: str
    partition: int
    offset: int


def own_topic(spec: ServiceSpec, settings: ServiceSettings) -> str:
    return settings.topic(f"{spec.name}.events")


def _reader(bootstrap_servers: str, group: str | None = None) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )


async def _starts(
    reader: AIOKafkaConsumer, topics: Sequence[str], since: datetime, bootstrap_servers: str
) -> dict[TopicPartition, tuple[int, int]]:
    """(first offset at or after ``since``, end offset) of each partition of ``topics``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = sorted(set(await admin.list_topics()).intersection(topics))
        described = await admin.describe_topics(existing) if existing else []
    finally:
        await admin.close()
    partitions = [
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    ]
    if not partitions:
        return {}
    at = await reader.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
    ends = await reader.end_offsets(partitions)
    return {tp: (at[tp].offset if at[tp] is not None else ends[tp], ends[tp]) for tp in partitions}


async def published_since(
    bootstrap_servers: str, topics: Sequence[str], since: datetime, *, timeout: float = 60
) -> list[Published]:
    """Every event on ``topics`` written at or after ``since``, in each partition's order."""
    reader = _reader(bootstrap_servers)
    await reader.start()
    try:
        todo = {
            tp: se
            for tp, se in (await _starts(reader, topics, since, bootstrap_servers)).items()
            if se[0] < se[1]
        }
        if not todo:
            return []
        reader.assign(list(todo))
        for tp, (start, _) in todo.items():
            reader.seek(tp, start)
        found: list[Published] = []
        deadline = time.monotonic() + timeout
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {sorted(map(str, todo))} took over {timeout} s")
            for tp, messages in (await reader.getmany(timeout_ms=500)).items():
                for m in messages:
                    if tp in todo and m.offset < todo[tp][1]:
                        headers = {k: v.decode() for k, v in m.headers or ()}
                        found.append(
                            Published(
                                headers.get("ce_id", ""),
                                headers.get("ce_type", ""),
                                headers.get("ce_subject"),
                                headers.get("ce_time"),
                                tp.topic,
                                tp.partition,
                                m.offset,
                            )
                        )
            for tp in list(todo):
                if await reader.position(tp) >= todo[tp][1]:
                    del todo[tp]
        return found
    finally:
        await reader.stop()


async def lost_writes(
    spec: ServiceSpec, settings: ServiceSettings, db: Database, since: datetime
) -> list[Published]:
    """Events the service published since ``since`` that its (restored) outbox does not hold."""
    published = await published_since(
        settings.kafka_bootstrap_servers, [own_topic(spec, settings)], since
    )
    async with db.transaction() as session:
        held = {str(e) for e in (await session.exec(select(outbox.c.event_id))).scalars()}
    return [p for p in published if p.event_id not in held]


async def rewind(spec: ServiceSpec, settings: ServiceSettings, since: datetime) -> dict[str, int]:
    """Set the service's consumer group back to ``since``; returns the records per topic it
    will read again. Nothing to do for a service that consumes nothing."""
    if not spec.handlers:
        return {}
    topics = [settings.topic(t) for t in spec.handlers.topics(registry)]
    reader = _reader(settings.kafka_bootstrap_servers, group=settings.topic(spec.name))
    await reader.start()
    try:
        starts = await _starts(reader, topics, since, settings.kafka_bootstrap_servers)
        if starts:
            reader.assign(list(starts))
            await reader.commit({tp: OffsetAndMetadata(s, "") for tp, (s, _) in starts.items()})
        again = dict.fromkeys(topics, 0)
        for tp, (start, end) in starts.items():
            again[tp.topic] += end - start
        return again
    finally:
        await reader.stop()
