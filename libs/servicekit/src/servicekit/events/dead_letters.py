"""Dead letters for operators: what a consumer gave up on, and one more try at it."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.errors import Conflict, NotFound
from servicekit.events.consumer import Consumer
from servicekit.events.envelope import Record
from servicekit.pagination import PageParams
from servicekit.tables import dead_letters


class DeadLetter(BaseModel):
    id: int
    consumer: str
    topic: str
    partition: int | None
    offset: int | None
    event_id: str | None
    event_type: str | None
    error: str
    attempts: int
    created_at: datetime
    replayed_at: datetime | None


async def list_dead_letters(
    *, session: AsyncSession, page: PageParams, include_replayed: bool
) -> list[DeadLetter]:
    query = select(dead_letters).order_by(dead_letters.c.id).limit(page.limit + 1)
    if not include_replayed:
        query = query.where(dead_letters.c.replayed_at.is_(None))
    if page.after:
        query = query.where(dead_letters.c.id > page.after[0])
    return [
        DeadLetter.model_validate(row, from_attributes=True)
        for row in (await session.exec(query)).all()
    ]


async def replay(
    *, session: AsyncSession, consumers: dict[str, Consumer], dead_letter_id: int
) -> str:
    """Run the stored record through its consumer once more; mark it replayed on success."""
    row = (
        await session.exec(
            select(dead_letters).where(dead_letters.c.id == dead_letter_id).with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(f"No dead letter {dead_letter_id}.")
    if row.replayed_at is not None:
        raise Conflict(f"Dead letter {dead_letter_id} was already replayed.")
    consumer = consumers.get(row.consumer)
    if consumer is None:
        raise Conflict(f"No consumer {row.consumer} runs in this service.")
    record = Record(
        row.topic, row.key, row.value, Record.byte_headers(row.headers), row.partition, row.offset
    )
    outcome = await consumer.replay(record)
    if outcome.status == "failed":
        raise Conflict(f"The handler failed again: {outcome.error}")
    await session.exec(
        update(dead_letters)
        .where(dead_letters.c.id == dead_letter_id)
        .values(replayed_at=func.now())
    )
    return outcome.status
