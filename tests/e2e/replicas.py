"""The system with two processes of every service, as a deployment scales it out: one database
per service, one broker, requests spread over the replicas the way a load balancer does."""

import itertools
from typing import Any

import httpx

from tests.e2e.system import SERVICES, Instance, System

REPLICAS = 2
ANONYMOUS_READS = 40  # per hour: GCRA lets one more through every 90 s, none within a test


class ReplicatedSystem(System):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._turns = {name: itertools.count() for name in SERVICES}

    def env(self, name: str) -> dict[str, str]:
        return super().env(name) | {
            "MINEADMIN_RATE_LIMIT_ANONYMOUS_READS": f"{ANONYMOUS_READS}/hour"
        }

    async def start_all(self) -> None:
        await self.seed()
        for _ in range(REPLICAS):
            for name in SERVICES:
                await self.start(name)

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Round robin over the service's running replicas."""
        running = self.running(service)
        assert running, f"no {service} process is running"
        instance = running[next(self._turns[service]) % len(running)]
        return await self.at(instance, method, path, **kwargs)

    async def at(self, instance: Instance, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, instance.url + path, **kwargs)
