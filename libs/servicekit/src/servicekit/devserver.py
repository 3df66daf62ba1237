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
from servicekit.events.inprocess import InProcessBroker
from servicekit.localinfra.postgres import postgres_server
from servicekit.logs import configure_logging
from servicekit.migrations import upgrade_async
from servicekit.services import installed_services
from servicekit.settings import BrokerKind, Mode

log = logging.getLogger("servicekit.dev")


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


async def run_dev(data_dir: Path, host: str = "127.0.0.1") -> None:
    configure_logging("INFO", json=False)
    _refuse_busy_ports(host, [spec.port for spec in installed_services().values()])
    pg = postgres_server(data_dir / "postgres")
    broker = InProcessBroker()
    servers = []
    for name, spec in installed_services().items():
        url = await pg.create_database(name)
        await upgrade_async(database_url=url, service_versions=spec.migrations)
        settings = spec.settings(
            database_url=url, broker=BrokerKind.inprocess, mode=Mode.dev, log_json=False
        )
        app = build_app(spec, settings, broker=broker)
        runtime = app.state.runtime
        for group in runtime.consumers:
            broker.expect(group, runtime.topics_consumed())
        servers.append(
            (
                spec,
                _Server(
                    uvicorn.Config(app, host=host, port=spec.port, log_config=None, lifespan="on")
                ),
            )
        )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: [setattr(s, "should_exit", True) for _, s in servers])
    tasks = [asyncio.create_task(server.serve()) for _, server in servers]
    while not all(server.started for _, server in servers):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.1)
    for spec, _ in servers:
        print(f"  {spec.title:<40} http://{host}:{spec.port}/docs   (ReDoc: /redoc)", flush=True)
    print("Ctrl-C stops every service; data stays in", data_dir, flush=True)
    await asyncio.gather(*tasks)
