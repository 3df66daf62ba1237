"""``mineadmin dev``: every service in one process, embedded PostgreSQL, in-process broker."""

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from servicekit.app import build_app
from servicekit.logs import configure_logging
from servicekit.migrations import upgrade_async
from servicekit.seed import seed
from servicekit.services import installed_services
from servicekit.settings import BrokerKind, Mode

from devkit.inprocess import InProcessBroker
from devkit.localinfra.postgres import postgres_server

log = logging.getLogger("devkit.dev")


class _Server(uvicorn.Server):
    """Signals are handled once for all servers, below, not by each server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _refuse_busy_ports(host: str, ports: list[int]) -> None:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                raise SystemExit(f"port {port} is in use: is another `make dev` running?") from None


async def run_dev(data_dir: Path, *, host: str = "127.0.0.1", port_offset: int = 0) -> None:
    configure_logging("INFO", json=False)
    specs = installed_services()
    _refuse_busy_ports(host, [spec.port + port_offset for spec in specs.values()])
    pg = postgres_server(data_dir / "postgres")
    broker = InProcessBroker()
    servers: list[tuple[str, _Server]] = []
    for name, spec in specs.items():
        url = await pg.create_database(name)
        await upgrade_async(database_url=url, service_versions=spec.migrations)
        settings = spec.settings(
            database_url=url, broker=BrokerKind.inprocess, mode=Mode.dev, log_json=False
        )
        app = build_app(spec, settings, broker=broker)
        await seed(spec, app.state.runtime.db)
        for group in app.state.runtime.consumers:
            broker.expect(group, app.state.runtime.topics_consumed())
        config = uvicorn.Config(
            app, host=host, port=spec.port + port_offset, log_config=None, lifespan="on"
        )
        servers.append((f"{spec.title:<40} http://{host}:{config.port}/docs", _Server(config)))

    def stop_all() -> None:
        for _, server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(server.serve()) for _, server in servers]
    while not all(s.started for _, s in servers) and not any(t.done() for t in tasks):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    for line, _ in servers:
        print(f"  {line}   (ReDoc: /redoc)", flush=True)
    print(f"Ctrl-C stops every service; data stays in {data_dir}", flush=True)
    await asyncio.gather(*tasks)
