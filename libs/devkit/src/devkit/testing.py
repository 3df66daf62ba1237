"""Running a service against real infrastructure, for the project's own tests and benchmarks."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from servicekit.app import build_app
from servicekit.auth import Role, mint_dev_token
from servicekit.events.broker import Broker
from servicekit.metrics_server import metrics_app
from servicekit.runtime import Runtime
from servicekit.settings import ServiceSettings
from servicekit.spec import ServiceSpec

T = TypeVar("T")


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    runtime: Runtime

    def auth(self, role: Role, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_dev_token(self.settings, role=role, **claims)}"}

    async def metrics(self) -> str:
        """What Prometheus would scrape from the service's metrics port, asked in-process."""
        transport = httpx.ASGITransport(app=metrics_app(self.runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as client:
            answer = await client.get("/metrics")
        answer.raise_for_status()
        return answer.text


@asynccontextmanager
async def running_service(
    spec: ServiceSpec,
    *,
    database_url: str,
    broker: Broker | None = None,
    background: bool = True,
    **settings: Any,
) -> AsyncIterator[RunningService]:
    """The service's app with its lifespan running and an HTTP client talking to it in-process.
    Without ``broker`` the service makes its own, as deployed, from its settings. No metrics
    listener (``metrics_port=0``) unless asked for: ``metrics()`` reads them in-process."""
    settings.setdefault("metrics_port", 0)
    settings.setdefault("relay_poll_seconds", 0.5)
    settings.setdefault("consumer_retry_base_seconds", 0.01)
    config = spec.settings(database_url=database_url, **settings)
    app = build_app(spec, config, broker=broker, background=background)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield RunningService(app, client, config, app.state.runtime)


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    timeout: float = 30.0,
    interval: float = 0.2,
    what: str = "condition",
) -> T:
    """Await ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:.0f}s (last: {result!r})")
        await asyncio.sleep(interval)
