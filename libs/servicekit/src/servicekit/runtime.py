"""A service's live parts: database, broker, relay, consumers, housekeeping, metrics."""

import asyncio
import contextlib
import secrets
from datetime import datetime

from contracts import registry
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from servicekit import change_stamps, housekeeping
from servicekit.db import Database
from servicekit.events.broker import Broker, Subscription
from servicekit.events.consumer import Consumer
from servicekit.events.kafka import KafkaBroker
from servicekit.events.outbox import outbox_backlog
from servicekit.events.relay import Relay
from servicekit.jobs import Scheduler
from servicekit.metrics import ServiceMetrics
from servicekit.metrics_server import MetricsListener
from servicekit.rate_limit import RateLimiter
from servicekit.settings import BrokerKind, ServiceSettings
from servicekit.spec import ServiceSpec
from servicekit.tables import dead_letters, service_keys


class Runtime:
    """The service's live parts: database, broker, relay, consumer, metrics."""

    def __init__(
        self, spec: ServiceSpec, settings: ServiceSettings, broker: Broker | None = None
    ) -> None:
        self.spec, self.settings = spec, settings
        self.broker = broker or kafka_broker(spec, settings)
        self.metrics = ServiceMetrics(spec.name)
        self.db = service_database(spec, settings, metrics=self.metrics)
        self.limiter = RateLimiter(self.db.rate_limits, self.metrics)
        self.relay = Relay(
            dsn=self.db.asyncpg_dsn(),
            broker=self.broker,
            poll_seconds=settings.relay_poll_seconds,
            metrics=self.metrics,
        )
        group = settings.topic(spec.name)
        self.consumers: dict[str, Consumer] = (
            {
                group: Consumer(
                    name=group,
                    db=self.db,
                    handlers=spec.handlers,
                    registry=registry,
                    dlq_topic=f"{group}.dlq",
                    max_attempts=settings.consumer_max_attempts,
                    retry_base_seconds=settings.consumer_retry_base_seconds,
                    metrics=self.metrics,
                )
            }
            if spec.handlers
            else {}
        )
        self.scheduler = Scheduler(
            service=spec.name, db=self.db, jobs=spec.jobs, metrics=self.metrics
        )
        metrics_port = spec.port + 100 if settings.metrics_port is None else settings.metrics_port
        self.metrics_listener = (
            MetricsListener(self, settings.metrics_host, metrics_port) if metrics_port else None
        )
        self.subscriptions: dict[str, Subscription] = {}
        self._lag_labels: dict[str, set[tuple[str, str, str]]] = {}  # consumer_lag's, per consumer
        self._cursor_key: bytes | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def topics_consumed(self) -> list[str]:
        return [self.settings.topic(t) for t in self.spec.handlers.topics(registry)]

    async def start(self) -> None:
        if self.metrics_listener is not None:
            await self.metrics_listener.start()
        await self.broker.start()
        for name, consumer in self.consumers.items():
            self.subscriptions[name] = await self.broker.subscribe(
                name, self.topics_consumed(), consumer.process
            )
        self._tasks = [
            asyncio.create_task(self.relay.run(), name=f"relay:{self.spec.name}"),
            asyncio.create_task(
                housekeeping.run(
                    self.db,
                    idempotency_retention_hours=self.settings.idempotency_retention_hours,
                ),
                name="housekeeping",
            ),
            asyncio.create_task(
                change_stamps.run(
                    self.db, every_seconds=self.settings.change_stamps_compact_seconds
                ),
                name="change-stamps",
            ),
            asyncio.create_task(self.scheduler.run_forever(), name="jobs"),
            *(
                asyncio.create_task(worker(self), name=f"worker:{worker.__name__}")
                for worker in self.spec.workers
            ),
        ]

    async def cursor_key(self) -> bytes:
        """The pagination cursors' HMAC key: made once per service database, shared by replicas."""
        if self._cursor_key is None:
            async with self.db.transaction() as session:
                await session.exec(
                    pg_insert(service_keys)
                    .values(name="cursor", key=secrets.token_bytes(32))
                    .on_conflict_do_nothing()
                )
                self._cursor_key = (
                    await session.exec(
                        select(service_keys.c.key).where(service_keys.c.name == "cursor")
                    )
                ).scalar_one()
        return self._cursor_key

    async def run_job(self, name: str, *, now: datetime | None = None) -> int | None:
        """Run a periodic job now (tests pass ``now``); None when another replica holds it."""
        return await self.scheduler.run_job(name, now=now)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscription in self.subscriptions.values():
            await subscription.stop()
        await self.broker.stop()
        if self.metrics_listener is not None:
            await self.metrics_listener.stop()
        await self.db.dispose()

    async def refresh_metrics(self) -> None:
        async with self.db.transaction() as session:
            backlog, oldest = await outbox_backlog(session)
            open_letters = (
                await session.exec(
                    select(dead_letters.c.consumer, func.count())
                    .where(dead_letters.c.replayed_at.is_(None))
                    .group_by(dead_letters.c.consumer)
                )
            ).all()
        self.metrics.outbox_backlog.set(backlog)
        self.metrics.outbox_oldest_age.set(oldest)
        for consumer in self.consumers:
            self.metrics.dead_letters_open.labels(consumer).set(0)
        for consumer, count in open_letters:
            self.metrics.dead_letters_open.labels(consumer).set(count)
        for name, subscription in self.subscriptions.items():
            lags = {
                (name, topic, str(partition)): lag
                for (topic, partition), lag in subscription.lag().items()
            }
            # a partition the group moved to another replica is that replica's to report: its
            # last figure here would otherwise stay in the gauge for good
            for gone in self._lag_labels.get(name, set()) - lags.keys():
                self.metrics.consumer_lag.remove(*gone)
            for labels, lag in lags.items():
                self.metrics.consumer_lag.labels(*labels).set(lag)
            self._lag_labels[name] = set(lags)


def service_database(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    pool_size: int | None = None,
    metrics: ServiceMetrics | None = None,
) -> Database:
    """The service's database. Its sessions carry what the outbox needs (event source, topic
    prefix), the metrics that code deep in a transaction may count into, and the settings."""
    return Database(
        settings.database_url,
        pool_size=pool_size or settings.database_pool_size,
        info={
            "event_source": spec.source,
            "topic_prefix": settings.topic_prefix,
            "metrics": metrics,
            "settings": settings,  # for jobs and handlers that read a service setting
        },
    )


def kafka_broker(spec: ServiceSpec, settings: ServiceSettings) -> Broker:
    if settings.broker is BrokerKind.inprocess:
        raise ValueError(
            "BROKER=inprocess: the in-process broker belongs to the development package devkit, "
            "which service images do not install (they run on Kafka); in development, pass a "
            "devkit.inprocess.InProcessBroker to build_app, as `mineadmin dev` does"
        )
    return KafkaBroker(settings.kafka_bootstrap_servers, client_id=f"mineadmin-{spec.name}")
