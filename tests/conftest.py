"""Real infrastructure for the suite: PostgreSQL (embedded unless TEST_DATABASE_URL is set) and
Apache Kafka (a local KRaft node unless KAFKA_BOOTSTRAP_SERVERS is set).

Each test gets fresh databases cloned from templates built by running the Alembic migrations
once per run, so migrations are exercised and tests never see each other's rows.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from devkit.inprocess import InProcessBroker
from devkit.localinfra.postgres import PostgresServer, postgres_server
from devkit.testing import RunningService, running_service
from servicekit.migrations import upgrade
from servicekit.services import installed_services

ROOT = Path(__file__).resolve().parents[1]
CI = os.environ.get("CI", "").lower() == "true"
RUN_ID = uuid.uuid4().hex[:8]
_kafka_missing: list[str] = []


@pytest.fixture(scope="session")
def pg() -> PostgresServer:
    """Concurrent test runs share one embedded server (databases are named per run)."""
    return postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def templates(pg: PostgresServer) -> dict[str, str]:
    """One migrated template database per service."""
    names = {}
    for name, spec in installed_services().items():
        template = f"tmpl_{RUN_ID}_{name}"
        url = asyncio.run(pg.create_database(template, replace=True))
        upgrade(database_url=url, service_versions=spec.migrations)
        names[name] = template
    yield names
    for template in names.values():
        asyncio.run(pg.drop_database(template))


class Databases:
    """Fresh databases for one test, cloned from the migrated templates."""

    def __init__(self, pg: PostgresServer, templates: dict[str, str]) -> None:
        self.pg, self.templates, self.created = pg, templates, []

    async def create(self, service: str) -> str:
        name = f"t_{RUN_ID}_{service}_{uuid.uuid4().hex[:8]}"
        self.created.append(name)
        return await self.pg.create_database(name, template=self.templates[service])


@pytest.fixture
async def databases(pg: PostgresServer, templates: dict[str, str]) -> AsyncIterator[Databases]:
    dbs = Databases(pg, templates)
    yield dbs
    for name in dbs.created:
        await pg.drop_database(name)


@pytest.fixture
def topic_prefix() -> str:
    """Topics and consumer groups of one test never meet another test's."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="session")
def kafka_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The local Kafka node this run started, or None when KAFKA_BOOTSTRAP_SERVERS names one."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield None
        return
    from devkit.localinfra.kafka import kafka_node as make_node

    try:
        node = make_node(data_dir=tmp_path_factory.mktemp("kafka"))
        node.start()
    except Exception as exc:  # no java, no maven, no network to Maven Central...
        reason = f"could not start a local Kafka broker: {exc}"
        if CI:
            pytest.fail(f"{reason} (CI=true: Kafka tests must run)", pytrace=False)
        _kafka_missing.append(reason)
        pytest.skip(f"KAFKA TESTS NOT RUN: {reason}")
    yield node
    node.stop()


@pytest.fixture(scope="session")
def kafka(kafka_node: object) -> str:
    """Bootstrap servers of a real broker."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or kafka_node.bootstrap_servers


@pytest.fixture
def controlled_kafka(kafka_node: object, kafka: str) -> object:
    """The local node, for tests that stop and restart the broker."""
    if kafka_node is None:
        if CI:
            pytest.fail(
                "this test stops the broker: run it with the local node, "
                "not KAFKA_BOOTSTRAP_SERVERS",
                pytrace=False,
            )
        pytest.skip("KAFKA TEST NOT RUN: stops the broker, which an external one can't be")
    if not kafka_node.is_running:
        kafka_node.start()
    return kafka_node


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for reason in dict.fromkeys(_kafka_missing):
        terminalreporter.write_line(f"KAFKA TESTS DID NOT RUN: {reason}", red=True, bold=True)


@asynccontextmanager
async def in_process(
    databases: Databases, name: str, **settings: Any
) -> AsyncIterator[RunningService]:
    """The service on a fresh database, serving HTTP in-process, with no relay, and its consumer
    callable but not subscribed (tests hand it events); ``settings`` as the test wants them."""
    url = await databases.create(name)
    spec = installed_services()[name]
    async with running_service(
        spec, database_url=url, broker=InProcessBroker(), background=False, **settings
    ) as service:
        yield service


@pytest.fixture
def on_kafka(
    databases: Databases, kafka: str, topic_prefix: str
) -> Callable[..., AbstractAsyncContextManager[RunningService]]:
    """``async with on_kafka("rights", **settings) as rights``: the service on a fresh database
    as deployed, its relay and consumer running over the real broker on the test's topics."""

    @asynccontextmanager
    async def start(name: str, **settings: Any) -> AsyncIterator[RunningService]:
        async with running_service(
            installed_services()[name],
            database_url=await databases.create(name),
            topic_prefix=topic_prefix,
            kafka_bootstrap_servers=kafka,
            **settings,
        ) as service:
            yield service

    return start


@pytest.fixture
async def rights(databases: Databases) -> AsyncIterator[RunningService]:
    async with in_process(databases, "rights") as service:
        yield service


@pytest.fixture
async def restoration(databases: Databases) -> AsyncIterator[RunningService]:
    async with in_process(databases, "restoration") as service:
        yield service


@pytest.fixture
async def greenmine(databases: Databases) -> AsyncIterator[RunningService]:
    async with in_process(databases, "greenmine") as service:
        yield service


@pytest.fixture
async def notifier(databases: Databases) -> AsyncIterator[RunningService]:
    async with in_process(databases, "notifier") as service:
        yield service
