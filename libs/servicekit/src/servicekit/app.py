"""The service factory: what every service is made of, wired the same way each time."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contracts import registry
from fastapi import APIRouter, FastAPI
from sqlalchemy import delete, func, select
from sqlalchemy.sql import text

from servicekit import idempotency, operations
from servicekit.auth import Authenticator
from servicekit.body_limit import BodyLimitMiddleware
from servicekit.db import Database
from servicekit.docs import install_offline_docs
from servicekit.errors import install_problem_handlers
from servicekit.events.broker import Broker
from servicekit.events.consumer import Consumer, Handlers
from servicekit.events.kafka import KafkaBroker
from servicekit.events.relay import Relay
from servicekit.metrics import ServiceMetrics
from servicekit.openapi import customize_openapi
from servicekit.request_context import RequestContextMiddleware
from servicekit.settings import BrokerKind, ServiceSettings
from servicekit.tables import dead_letters, inbox, outbox
from servicekit.unit_of_work import UnitOfWorkMiddleware

log = logging.getLogger("servicekit.app")
HOUSEKEEPING_SECONDS = 3600
OUTBOX_RETENTION_DAYS = 7
INBOX_RETENTION_DAYS = 30  # well beyond Kafka's retention, so a redelivery is always recognised


@dataclass(frozen=True)
class ServiceSpec:
    """Everything that makes one service: named once, used by the app factory and the CLI."""

    name: str  # short name: database, consumer group, event source, settings prefix
    title: str
    description: str
    settings: type[ServiceSettings]
    package: str
    migrations: Path
    port: int
    routers: Sequence[APIRouter] = ()
    handlers: Handlers = field(default_factory=Handlers)
    tags: Sequence[dict[str, str]] = ()

    @property
    def source(self) -> str:
        return f"/services/{self.name}"


class Runtime:
    """The service's live parts: database, broker, relay, consumer, metrics."""

    def __init__(self, spec: ServiceSpec, settings: ServiceSettings, broker: Broker) -> None:
        self.spec, self.settings, self.broker = spec, settings, broker
        self.metrics = ServiceMetrics(spec.name)
        self.db = Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            info={"event_source": spec.source, "topic_prefix": settings.topic_prefix},
        )
        self.relay = Relay(
            dsn=self.db.asyncpg_dsn(),
            broker=broker,
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
        self.subscriptions: dict[str, object] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def topics_consumed(self) -> list[str]:
        return [self.settings.topic(t) for t in self.spec.handlers.topics(registry)]

    async def start(self) -> None:
        await self.broker.start()
        for name, consumer in self.consumers.items():
            self.subscriptions[name] = await self.broker.subscribe(
                name, self.topics_consumed(), consumer.process
            )
        self._tasks = [
            asyncio.create_task(self.relay.run(), name=f"relay:{self.spec.name}"),
            asyncio.create_task(self._housekeeping(), name="housekeeping"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscription in self.subscriptions.values():
            await subscription.stop()
        await self.broker.stop()
        await self.db.dispose()

    async def _housekeeping(self) -> None:
        while True:
            try:
                await idempotency.purge_expired(self.db, self.settings.idempotency_retention_hours)
                async with self.db.transaction() as session:
                    await session.exec(
                        delete(outbox).where(
                            outbox.c.sent_at
                            < func.now() - text(f"interval '{OUTBOX_RETENTION_DAYS} days'")
                        )
                    )
                    await session.exec(
                        delete(inbox).where(
                            inbox.c.processed_at
                            < func.now() - text(f"interval '{INBOX_RETENTION_DAYS} days'")
                        )
                    )
            except Exception:
                log.exception("housekeeping failed; next round in an hour")
            await asyncio.sleep(HOUSEKEEPING_SECONDS)

    async def refresh_metrics(self) -> None:
        async with self.db.transaction() as session:
            backlog, oldest = await operations.outbox_stats(session)
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
            for (topic, partition), lag in subscription.lag().items():
                self.metrics.consumer_lag.labels(name, topic, str(partition)).set(lag)


def default_broker(spec: ServiceSpec, settings: ServiceSettings) -> Broker:
    if settings.broker is BrokerKind.inprocess:
        raise ValueError("the in-process broker is shared: pass it to build_app (mineadmin dev)")
    return KafkaBroker(settings.kafka_bootstrap_servers, client_id=f"mineadmin-{spec.name}")


def build_app(
    spec: ServiceSpec,
    settings: ServiceSettings | None = None,
    *,
    broker: Broker | None = None,
    background: bool = True,
) -> FastAPI:
    """The FastAPI app for ``spec``. ``background=False`` runs no relay or consumer (tests)."""
    settings = settings or spec.settings()
    runtime = Runtime(spec, settings, broker or default_broker(spec, settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if background:
            await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            *spec.tags,
            {"name": "operations 运维", "description": "Health, metrics and dead letters."},
        ],
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.authenticator = Authenticator(settings)
    install_problem_handlers(app)
    customize_openapi(app)
    install_offline_docs(app)
    app.include_router(operations.router)
    for router in spec.routers:
        app.include_router(router)
    app.add_middleware(UnitOfWorkMiddleware, db=runtime.db)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=runtime.metrics)
    return app
