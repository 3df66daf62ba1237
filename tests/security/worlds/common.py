"""Pieces every service's world has: the shared operations routes (dead letters, jobs, the
holiday calendar), which need a dead letter that can be replayed and a job that exists."""

import uuid

from devkit.testing import RunningService
from servicekit.events.envelope import CloudEvent, Record
from servicekit.tables import dead_letters

from tests.security.harness import Call


async def dead_letter(service: RunningService, event: CloudEvent | None = None) -> int:
    """A dead letter its consumer can replay: ``event``, or else an event type the service
    knows but ignores (a service that handles every type, as the notifier's journal does,
    passes a valid event of its own)."""
    name, consumer = next(iter(service.runtime.consumers.items()))
    if event is None:
        event_type = next(
            m.event_type for m in consumer.registry if consumer.handlers.get(m.event_type) is None
        )
        event = CloudEvent(type=event_type, source="/services/authz-test", data={}, subject="k")
    event_type = event.type
    record = Record(
        "authz.events", b"k", event.value(), tuple((k, v.encode()) for k, v in event.headers())
    )
    async with service.runtime.db.transaction() as session:
        result = await session.exec(
            dead_letters.insert()
            .values(
                consumer=name,
                topic=record.topic,
                key=record.key,
                value=record.value,
                headers=record.text_headers(),
                event_id=str(event.id),
                event_type=event_type,
                error="handler failed (authorization matrix test)",
                attempts=5,
            )
            .returning(dead_letters.c.id)
        )
        return result.scalar_one()


def shared_calls(job: str) -> dict[str, Call]:
    """Requests for servicekit's routes; ``job`` is one of the service's periodic jobs."""
    return {
        "POST /admin/jobs/{name}/run": Call(path={"name": job}),
        "PUT /admin/calendar/{year}": Call(
            path={"year": "2027"},
            json={"holidays": [{"day": "2027-01-01", "name": "元旦"}], "workdays": []},
        ),
    }


async def shared_params(service: RunningService, event: CloudEvent | None = None) -> dict[str, str]:
    return {"dead_letter_id": str(await dead_letter(service, event))}


def new_id() -> str:
    return str(uuid.uuid4())
