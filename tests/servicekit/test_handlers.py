"""Several handlers per event type: all run in the event's one transaction, in order; a failing
one undoes the others' effects and the event is dead-lettered, never half applied."""

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from contracts import registry
from contracts.rights import HolderRegistered
from servicekit.db import Database
from servicekit.events.consumer import Consumer, Handlers
from servicekit.events.envelope import CloudEvent, Record
from sqlalchemy import text


def holder_registered() -> Record:
    payload = HolderRegistered(
        holder_id=uuid4(),
        credit_code="91150000114122592P",
        name="二连浩特市测试矿业有限公司",
        registered_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    event = CloudEvent(
        type=payload.event_type, source="/services/rights", data=payload.model_dump(mode="json")
    )
    return Record(
        topic="rights.events",
        key=None,
        value=event.value(),
        headers=tuple((k, v.encode()) for k, v in event.headers()),
        partition=0,
        offset=7,
    )


def writer(label: str):
    async def handler(session, event, payload) -> None:
        await session.exec(text("INSERT INTO effects (label) VALUES (:l)").bindparams(l=label))

    return handler


async def failing(session, event, payload) -> None:
    raise RuntimeError("this handler always fails")


@pytest.fixture
async def db(databases):
    database = Database(await databases.create("notifier"))
    async with database.transaction() as session:
        await session.exec(text("CREATE TABLE effects (n serial, label text)"))
    yield database
    await database.dispose()


async def effects(db: Database) -> list[str]:
    async with db.transaction() as session:
        return list((await session.exec(text("SELECT label FROM effects ORDER BY n"))).scalars())


def consumer(db: Database, *registries: Handlers) -> Consumer:
    return Consumer(
        name="test",
        db=db,
        handlers=Handlers.combine(*registries),
        registry=registry,
        dlq_topic="test.dlq",
        max_attempts=2,
        retry_base_seconds=0.01,
    )


async def test_every_handler_of_an_event_runs_once_in_the_order_combined(db):
    first, second = Handlers(), Handlers()
    first.on(HolderRegistered)(writer("holders area"))
    second.on(HolderRegistered)(writer("journal area"))
    record = holder_registered()

    assert (await consumer(db, first, second).process(record)).status == "applied"
    assert (await consumer(db, first, second).process(record)).status == "duplicate"
    assert await effects(db) == ["holders area", "journal area"]


async def test_a_failing_handler_undoes_the_others_and_the_event_is_dead_lettered(db):
    first, second = Handlers(), Handlers()
    first.on(HolderRegistered)(writer("applied before the failure"))
    second.on(HolderRegistered)(failing)

    outcome = await consumer(db, first, second).process(holder_registered())

    assert outcome.status == "dead-lettered"
    assert "this handler always fails" in outcome.error
    assert await effects(db) == []
    async with db.transaction() as session:
        inbox = (await session.exec(text("SELECT count(*) FROM inbox"))).scalar_one()
        letters = (await session.exec(text("SELECT count(*) FROM dead_letters"))).scalar_one()
    assert (inbox, letters) == (0, 1)


def test_one_handler_registered_twice_for_a_type_is_refused():
    handlers = Handlers()
    handler = writer("x")
    handlers.on(HolderRegistered)(handler)
    with pytest.raises(ValueError, match="registered twice"):
        handlers.on(HolderRegistered)(handler)
    with pytest.raises(ValueError, match="registered twice"):
        Handlers.combine(handlers, handlers)


async def test_a_record_delivered_again_after_its_dead_letter_is_dead_lettered_once(db):
    """Kafka delivers a record again when its partition moves to another member before the
    offset is committed: the second delivery finds the dead letter and queues no second copy."""
    handlers = Handlers()
    handlers.on(HolderRegistered)(failing)
    unreadable = replace(holder_registered(), value=b'{"holder_id": 1}', offset=8)
    keeps_failing = holder_registered()

    outcomes = [
        (await consumer(db, handlers).process(record)).status
        for record in (unreadable, keeps_failing, unreadable, keeps_failing)
    ]

    assert outcomes == ["dead-lettered", "dead-lettered", "duplicate", "duplicate"]
    async with db.transaction() as session:
        letters = (await session.exec(text('SELECT "offset" FROM dead_letters'))).scalars()
        queued = (
            await session.exec(text("SELECT count(*) FROM outbox WHERE topic = 'test.dlq'"))
        ).scalar_one()
    assert (sorted(letters), queued) == ([7, 8], 2)
