"""What one service is made of, declared once in its ``app.py`` and used by the app factory,
the CLI and the dev server."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.events.consumer import Handlers
from servicekit.hot_reads import HotRead
from servicekit.jobs import Job
from servicekit.settings import ServiceSettings


@dataclass(frozen=True)
class Probe:
    """A store the service needs besides its database and broker (object storage), checked by
    ``mineadmin doctor``: ``run``, given the service's settings, returns what it found and
    raises when the store cannot be used."""

    name: str  # the check's name in doctor's table
    run: Callable[[Any], Awaitable[str]]


@dataclass(frozen=True)
class ServiceSpec:
    """Everything that makes one service: named once, used by the app factory and the CLI."""

    name: str  # short name: its database, consumer group, topic and event source
    title: str
    description: str
    settings: type[ServiceSettings]
    package: str
    # its Alembic version folders: its own, then those of shared read models it keeps
    migrations: Path | Sequence[Path]
    port: int
    routers: Sequence[APIRouter] = ()
    hot_reads: Sequence[HotRead] = ()  # GETs also served without FastAPI (servicekit.hot_reads)
    handlers: Handlers = field(default_factory=Handlers)
    tags: Mapping[str, str] = field(default_factory=dict)  # the OpenAPI tags: name → description
    jobs: Sequence[Job] = ()  # periodic work: overdue sweeps, scheduled obligations
    # Continuous loops started with the service and cancelled at shutdown, each given the
    # service's Runtime: work that a periodic job under one lock does not fit (a delivery
    # worker every replica runs, claiming rows with SKIP LOCKED and committing as it goes).
    workers: Sequence[Callable[[Any], Awaitable[None]]] = ()
    # Loads the service's reference data (the plan edition, the mines of 专栏一...) in one
    # transaction; must be safe to run again on a seeded database.
    seed: Callable[[AsyncSession], Awaitable[None]] | None = None
    # The holder registered with a credit code, given the Runtime: the service that owns the
    # holders (rights-api) answers from its database; the others ask it (holder_directory).
    holder_by_credit_code: Callable[[Any, str], Awaitable[UUID | None]] | None = None
    # Not part of /readyz: a store that is down fails only the routes that use it (503), and
    # a replica still serving the register must stay behind the load balancer.
    probes: Sequence[Probe] = ()

    @property
    def source(self) -> str:
        return f"/services/{self.name}"
