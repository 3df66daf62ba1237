"""``mineadmin dev``: every service in one process on embedded PostgreSQL and a real single-node
Kafka broker (KRaft, the jars the tests use), each service's metrics on a port of their own.

The settings the running stack uses are written to ``<data dir>/dev.env``, which ``mineadmin
doctor`` and ``mineadmin token`` read, so they reach this stack without being told where it is.
Its tokens are signed with the installation's own random secret (``<data dir>/dev-jwt-secret``,
made on first run), and it serves loopback only unless MINEADMIN_DEV_MODE_ON_NETWORK=true.
"""

import asyncio
import logging
import signal
import socket
from pathlib import Path

import uvicorn
from servicekit import topics
from servicekit.app import build_app
from servicekit.dev_mode import check_bind
from servicekit.logs import configure_logging
from servicekit.metrics_server import QuietServer
from servicekit.migrations import upgrade_async
from servicekit.seed import seed
from servicekit.services import installed_services
from servicekit.settings import SHARED_PREFIX, BrokerKind, Mode, ServiceSettings
from servicekit.spec import ServiceSpec

from devkit.localinfra.kafka import kafka_node
from devkit.localinfra.postgres import PostgresServer, postgres_server

log = logging.getLogger("devkit.dev")

KAFKA_PORT = 9092  # the default of kafka_bootstrap_servers; its controller listens on 9093
METRICS_PORT_OFFSET = 100  # as servicekit's default: each service's port + 100
ENV_FILE = "dev.env"
SECRET_FILE = "dev-jwt-secret"


def _refuse_busy_ports(host: str, ports: list[int]) -> None:
    """Bind each port as uvicorn and Kafka will (SO_REUSEADDR): a port held only by the last
    run's TIME_WAIT connections is free, one a live process listens on is not."""
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                raise SystemExit(f"port {port} is in use: is another `make dev` running?") from None


def _env_file(path: Path, lines: dict[str, str]) -> None:
    path.write_text(
        "# Written by `mineadmin dev` for `mineadmin doctor` and `token`: the stack it runs.\n"
        + "".join(f"{key}={value}\n" for key, value in lines.items())
    )


def _prefix(spec: ServiceSpec) -> str:
    return spec.settings.model_config["env_prefix"]


async def run_dev(data_dir: Path, *, host: str = "127.0.0.1", port_offset: int = 0) -> None:
    configure_logging("INFO", json=False)
    # the installation's secret exists before anything starts; `mineadmin token` signs with it
    shared = ServiceSettings(mode=Mode.dev, dev_secret_file=data_dir / SECRET_FILE)
    check_bind(host, allowed=shared.dev_mode_on_network)
    specs = installed_services()
    kafka_ports = (KAFKA_PORT + port_offset, KAFKA_PORT + 1 + port_offset)
    _refuse_busy_ports(
        host,
        [
            *kafka_ports,
            *(spec.port + port_offset for spec in specs.values()),
            *(spec.port + port_offset + METRICS_PORT_OFFSET for spec in specs.values()),
        ],
    )
    pg = postgres_server(data_dir / "postgres")
    # started from the main thread, so the broker dies with this process however it ends
    node = kafka_node(data_dir=data_dir / "kafka", ports=kafka_ports)
    node.start()
    try:
        await _serve(specs, pg, node.bootstrap_servers, data_dir, host, port_offset)
    finally:
        node.stop()


async def _serve(
    specs: dict[str, ServiceSpec],
    pg: PostgresServer,
    bootstrap: str,
    data_dir: Path,
    host: str,
    port_offset: int,
) -> None:
    env = {
        f"{SHARED_PREFIX}BROKER": "kafka",
        f"{SHARED_PREFIX}KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        f"{SHARED_PREFIX}DEV_SECRET_FILE": str(data_dir / SECRET_FILE),
    }
    # the topics as a deployment makes them (`mineadmin topics apply`), so `doctor` passes
    refused = [
        change
        for change in await topics.apply(ServiceSettings(kafka_bootstrap_servers=bootstrap))
        if change.action is topics.Action.refuse
    ]
    if refused:
        raise SystemExit(f"Kafka topics in {data_dir} differ from the plan: {refused}")
    servers: list[tuple[str, QuietServer]] = []
    for name, spec in specs.items():
        url = await pg.create_database(name)
        await upgrade_async(database_url=url, service_versions=spec.migrations)
        port = spec.port + port_offset
        settings = spec.settings(
            database_url=url,
            broker=BrokerKind.kafka,
            kafka_bootstrap_servers=bootstrap,
            metrics_port=port + METRICS_PORT_OFFSET,
            mode=Mode.dev,
            log_json=False,
            dev_secret_file=data_dir / SECRET_FILE,
        )
        app = build_app(spec, settings)
        await seed(spec, app.state.runtime.db)
        config = uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on")
        line = (
            f"{spec.title:<40} http://{host}:{port}/docs   "
            f"(metrics: http://{host}:{settings.metrics_port}/metrics)"
        )
        servers.append((line, QuietServer(config)))
        env |= {
            f"{_prefix(spec)}DATABASE_URL": url,
            f"{_prefix(spec)}PUBLIC_URL": f"http://{host}:{port}",
        }

    def stop_all() -> None:
        for _, server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(server.serve()) for _, server in servers]
    while not all(s.started for _, s in servers) and not any(t.done() for t in tasks):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    _env_file(data_dir / ENV_FILE, env)
    print(f"  Kafka broker {bootstrap}, data in {data_dir}", flush=True)
    for line, _ in servers:
        print(f"  {line}", flush=True)
    print(f"`mineadmin doctor` checks this stack (it reads {data_dir / ENV_FILE})", flush=True)
    print(f"Ctrl-C stops every service; data stays in {data_dir}", flush=True)
    await asyncio.gather(*tasks)
