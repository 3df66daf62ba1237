"""The Prometheus listener: ``GET /metrics`` on a port of its own (``metrics_port``), apart from
the public API so that only the internal network's scraper reaches it."""

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to whoever runs it (the main server, `mineadmin
    dev`), so several can share one process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def metrics_app(runtime: Any) -> Starlette:
    """The service's metrics as Prometheus scrapes them, gauges refreshed per scrape."""

    async def metrics(request: Request) -> Response:
        await runtime.refresh_metrics()
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return Starlette(routes=[Route("/metrics", metrics)])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket as uvicorn binds one (SO_REUSEADDR: a restart is not refused while
    the previous run's connections sit in TIME_WAIT); OSError when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class MetricsListener:
    """Serves :func:`metrics_app` on ``host:port`` from ``start`` until ``stop``."""

    def __init__(self, runtime: Any, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._server = QuietServer(
            uvicorn.Config(metrics_app(runtime), log_config=None, access_log=False, lifespan="off")
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sock = bind(self.host, self.port)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="metrics")
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()

    async def stop(self) -> None:
        if self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None
