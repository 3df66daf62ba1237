"""The transactional outbox: an event is a row written in the same transaction as the change."""

from typing import Any
from uuid import uuid4

from contracts import EventPayload
from sqlalchemy import func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.events.envelope import CloudEvent, Record, as_text
from servicekit.tables import outbox
from servicekit.tracing import current_traceparent


async def publish(
    session: AsyncSession, payload: EventPayload, *, subject: str | None, key: str | None = None
) -> CloudEvent:
    """Queue ``payload`` for publication when (and only if) the session's transaction commits.

    ``subject`` is the mining right id when there is one; the Kafka key defaults to it so
    events about one mine stay in order, else to ``key`` (the aggregate id).
    """
    event, row = outbox_row(session, payload, subject=subject, key=key)
    await session.exec(insert(outbox).values(**row))
    return event


def outbox_row(
    session: AsyncSession, payload: EventPayload, *, subject: str | None, key: str | None = None
) -> tuple[CloudEvent, dict[str, Any]]:
    """The event and the outbox row ``publish`` writes, for a caller that writes the row inside
    a statement of its own (still in the caller's transaction)."""
    info = session.info
    event = CloudEvent(
        type=payload.event_type,
        source=info["event_source"],
        data=payload.model_dump(mode="json"),
        subject=subject,
        traceparent=current_traceparent.get(),
    )
    partition_key = subject or key
    if partition_key is None:
        raise ValueError("an event needs a subject or a key to be partitioned by")
    return event, {
        "event_id": event.id,
        "topic": info["topic_prefix"] + payload.topic,
        "key": partition_key,
        "type": event.type,
        "headers": event.headers(),
        "value": event.value(),
    }


async def forward(
    session: AsyncSession, record: Record, *, topic: str, extra_headers: list[tuple[str, str]]
) -> None:
    """Queue a raw record (a dead letter) for another topic; its value is kept byte for byte."""
    await session.exec(
        insert(outbox).values(
            event_id=uuid4(),
            topic=topic,
            key=as_text(record.key or b"")[: outbox.c.key.type.length],
            type="dead-letter",
            headers=record.text_headers() + extra_headers,
            value=record.value or b"",
        )
    )


async def outbox_backlog(session: AsyncSession) -> tuple[int, float]:
    """How many rows wait for the relay, and the age in seconds of the oldest."""
    row = (
        await session.exec(
            select(
                func.count(),
                func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0),
            ).where(outbox.c.sent_at.is_(None))
        )
    ).one()
    return int(row[0]), float(row[1])
