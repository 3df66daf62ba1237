import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio
from devkit.localinfra.postgres import PostgresServer

from tests.conftest import Databases
from tests.e2e.system import SERVICES, System

Kind = TypeVar("Kind", bound=System)


@pytest.fixture
async def system(databases, kafka, topic_prefix, tmp_path) -> AsyncIterator[System]:
    """The four services' databases, migrated and empty; tests start the processes they need."""
    system = System(kafka=kafka, topic_prefix=topic_prefix, logs=tmp_path)
    for name in SERVICES:
        system.database_urls[name] = await databases.create(name)
    try:
        yield system
    finally:
        await system.close()
        print(system.log_tails())  # shown by pytest only when the test failed


@asynccontextmanager
async def started(
    kind: type[Kind], *, pg: PostgresServer, templates: dict[str, str], kafka: str, logs: Path
) -> AsyncIterator[Kind]:
    """A system of ``kind`` for a whole module: its own databases and topics, every process
    started (the log tails printed if one does not start); at the end stopped and its
    databases dropped, as no per-test ``databases`` fixture outlives the module."""
    databases = Databases(pg, templates)
    system = kind(kafka=kafka, topic_prefix=f"t{uuid.uuid4().hex[:10]}.", logs=logs)
    try:
        for name in SERVICES:
            system.database_urls[name] = await databases.create(name)
        try:
            await system.start_all()
        except BaseException:
            print(system.log_tails())
            raise
        yield system
    finally:
        await system.close()
        for name in databases.created:
            await pg.drop_database(name)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_system(pg, templates, kafka, tmp_path_factory) -> AsyncIterator[System]:
    """One running system for all tests of a module (they take ``shared_system``).

    Starting the four services costs more than most faults take to inject and heal, so the
    fault tests of a module share one system and run one after another on it. Each works on its
    own holder and rights, restores what it broke (processes, database access) before it ends,
    and checks the whole system settled: every outbox sent, every consumer caught up, and no
    dead letters but the ones it planted itself. The workflow tests share one too:
    their flows leave each other's mines alone. Their tests run in the module's event loop
    (``pytest.mark.asyncio(loop_scope="module")``)."""
    logs = tmp_path_factory.mktemp("e2e")
    async with started(System, pg=pg, templates=templates, kafka=kafka, logs=logs) as system:
        yield system


@pytest_asyncio.fixture(loop_scope="module")
async def shared_system(module_system: System) -> AsyncIterator[System]:
    """The module's system (see ``module_system``), with the log tails shown when a test fails."""
    yield module_system
    print(module_system.log_tails())
