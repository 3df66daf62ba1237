"""Idempotent consumers: a handler runs in the same transaction as its inbox row.

A record that cannot be read (not a CloudEvent, unknown type, payload not matching the
contract) or whose handler keeps failing is dead-lettered: stored in ``dead_letters`` and
queued for ``<consumer>.dlq`` through the outbox, in one transaction. Then the consumer moves on.
A record delivered again (its partition reassigned before the commit) is dead-lettered once.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from contracts import EventPayload, EventRegistry, UnknownEventType
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.db import Database
from servicekit.errors import is_connection_error
from servicekit.events import outbox as outbox_
from servicekit.events.envelope import CloudEvent, InvalidEvent, Record, storable
from servicekit.metrics import ServiceMetrics
from servicekit.tables import dead_letters, inbox
from servicekit.tracing import continue_from, current_traceparent

log = logging.getLogger("servicekit.consumer")

Handler = Callable[[AsyncSession, CloudEvent, Any], Awaitable[None]]


class Handlers:
    """Event type → the handlers that react to it, registered explicitly.

    Each domain package that reacts to events keeps its own ``Handlers`` in its ``handlers.py``;
    the service combines them (``Handlers.combine``). Every handler of a type runs, in the order
    registered, inside the one transaction that records the event in the inbox: all of their
    effects happen once, or none does."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[Handler]] = {}
        self._runs: dict[str, Handler] = {}  # per type: the one handler, or all of them in turn

    def on(self, payload: type[EventPayload]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.on_type(payload.event_type, handler)
            return handler

        return register

    @classmethod
    def combine(cls, *registries: "Handlers") -> "Handlers":
        """One registry running each of ``registries``' handlers, in the order given."""
        combined = cls()
        for registry in registries:
            for event_type, handlers in registry._by_type.items():
                for handler in handlers:
                    combined.on_type(event_type, handler)
        return combined

    def on_type(self, event_type: str, handler: Handler) -> None:
        registered = self._by_type.setdefault(event_type, [])
        if handler in registered:
            raise ValueError(f"{handler.__qualname__} registered twice for {event_type}")
        registered.append(handler)
        self._runs[event_type] = handler if len(registered) == 1 else _in_turn(registered)

    def get(self, event_type: str) -> Handler | None:
        """One handler running every handler of ``event_type`` in turn, or None."""
        return self._runs.get(event_type)

    def topics(self, registry: EventRegistry) -> list[str]:
        return sorted({registry.model(t).topic for t in self._by_type})

    def __bool__(self) -> bool:
        return bool(self._by_type)


def _in_turn(handlers: list[Handler]) -> Handler:
    async def each(session: AsyncSession, event: CloudEvent, payload: Any) -> None:
        for handler in handlers:
            await handler(session, event, payload)

    return each


UNREADABLE = (InvalidEvent, UnknownEventType, ValidationError)


class DatabaseUnavailable(Exception):
    """Not the event's fault: the broker adapter retries the record later."""


@dataclass
class Outcome:
    status: str  # "applied", "duplicate", "ignored", "dead-lettered", "failed" (replay only)
    error: str | None = None


class Consumer:
    def __init__(
        self,
        *,
        name: str,
        db: Database,
        handlers: Handlers,
        registry: EventRegistry,
        dlq_topic: str,
        max_attempts: int = 5,
        retry_base_seconds: float = 0.2,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.name, self.db, self.handlers, self.registry = name, db, handlers, registry
        self.dlq_topic = dlq_topic
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self.metrics = metrics

    def _read(self, record: Record) -> tuple[CloudEvent, Any, Handler | None]:
        event = CloudEvent.from_record(record)
        handler = self.handlers.get(event.type)
        if handler is None:
            if event.type not in self.registry:
                raise UnknownEventType(event.type)
            return event, None, None
        return event, self.registry.parse(event.type, event.data), handler

    async def process(self, record: Record) -> Outcome:
        """Apply one record. Returns only once its effect (or its dead letter) is committed."""
        try:
            event, payload, handler = self._read(record)
        except UNREADABLE as exc:
            return await self._dead_letter(record, _describe(exc), attempts=1)
        if handler is None:
            return self._count(Outcome("ignored"), record)

        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._count(await self.apply(event, payload, handler), record)
            except Exception as exc:
                if is_connection_error(exc):
                    raise DatabaseUnavailable(str(exc)) from exc
                error = _describe(exc)
                log.warning(
                    "consumer %s: %s attempt %d/%d failed: %s",
                    self.name,
                    event.type,
                    attempt,
                    self.max_attempts,
                    error,
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_base_seconds * 2 ** (attempt - 1))
        return await self._dead_letter(record, error, attempts=self.max_attempts, event=event)

    async def replay(self, record: Record) -> Outcome:
        """One more attempt at a dead letter, for an operator: no retries, no new dead letter."""
        try:
            event, payload, handler = self._read(record)
            if handler is None:
                return Outcome("ignored")
            return await self.apply(event, payload, handler)
        except Exception as exc:
            return Outcome("failed", _describe(exc))

    async def apply(self, event: CloudEvent, payload: Any, handler: Handler) -> Outcome:
        token = current_traceparent.set(continue_from(event.traceparent))
        try:
            async with self.db.transaction() as session:
                fresh = await session.exec(
                    pg_insert(inbox)
                    .values(consumer=self.name, event_id=event.id, type=event.type)
                    .on_conflict_do_nothing()
                    .returning(inbox.c.event_id)
                )
                if fresh.first() is None:
                    return Outcome("duplicate")
                await handler(session, event, payload)
            return Outcome("applied")
        finally:
            current_traceparent.reset(token)

    async def _dead_letter(
        self, record: Record, error: str, *, attempts: int, event: CloudEvent | None = None
    ) -> Outcome:
        error = storable(error)  # it may quote the record (an unknown type, a bad value)
        log.error(
            "consumer %s dead-letters %s:%s@%s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            error,
        )
        try:
            async with self.db.transaction() as session:
                first = await session.exec(
                    pg_insert(dead_letters)
                    .values(
                        consumer=self.name,
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        key=record.key,
                        value=record.value,
                        headers=record.text_headers(),
                        event_id=str(event.id) if event else _clip(record.header("ce_id")),
                        event_type=event.type if event else _clip(record.header("ce_type")),
                        error=error[:4000],
                        attempts=attempts,
                    )
                    .on_conflict_do_nothing(constraint="dead_letters_once")
                    .returning(dead_letters.c.id)
                )
                if first.first() is None:  # delivered again after its dead letter committed
                    return self._count(Outcome("duplicate"), record)
                await outbox_.forward(
                    session,
                    record,
                    topic=self.dlq_topic,
                    extra_headers=[
                        ("dlq_consumer", self.name),
                        ("dlq_error", error[:1000]),
                        ("dlq_topic", record.topic),
                        ("dlq_partition", str(record.partition)),
                        ("dlq_offset", str(record.offset)),
                    ],
                )
        except Exception as exc:
            if is_connection_error(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        if self.metrics is not None:
            self.metrics.dead_letters.labels(self.name).inc()
        return self._count(Outcome("dead-lettered", error), record)

    def _count(self, outcome: Outcome, record: Record) -> Outcome:
        if self.metrics is not None:
            self.metrics.events_consumed.labels(self.name, record.topic, outcome.status).inc()
        return outcome


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _clip(value: str | None) -> str | None:
    """Attributes of an unreadable record can be anything: keep what fits the column."""
    return value[:200] if value else value
