"""The whole system as it is deployed, in miniature: each service a uvicorn process with its own
database, all four over one real Kafka broker, configured only through the environment and
driven only over HTTP.

Processes run in dev mode for one reason: it lets ``POST /admin/jobs/{name}/run?now=`` move a
job's clock to a deadline's day. Everything else is as in production (Kafka, JSON logs, the
outbox relay, consumer groups, JWT checks with a secret of the test's own).
"""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from devkit.ports import free_port
from devkit.testing import eventually
from servicekit.auth import Role, mint_dev_token
from servicekit.services import installed_services
from servicekit.settings import ServiceSettings

BIN = Path(sys.executable).parent
SECRET = "an-e2e-secret-of-this-test-run-only-0123456789"
SERVICES = ("rights", "restoration", "greenmine", "notifier")


def env_prefix(name: str) -> str:
    return installed_services()[name].settings.model_config["env_prefix"]


@dataclass
class Instance:
    """One uvicorn process of one service."""

    service: str
    port: int
    metrics_port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        """Its Prometheus listener, apart from the public port."""
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def start(self) -> None:
        package = installed_services()[self.service].package
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    BIN / "uvicorn",
                    "--factory",
                    f"{package}.app:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                ],
                env=self.env | {f"{env_prefix(self.service)}METRICS_PORT": str(self.metrics_port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def ready(self, client: httpx.AsyncClient) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.service} on :{self.port} exited ({self.process.returncode}):\n"
                + self.log_tail()
            )
        try:
            return (await client.get(f"{self.url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False


class System:
    """The four services over one broker; ``call(service, ...)`` speaks HTTP to one of them."""

    def __init__(self, *, kafka: str, topic_prefix: str, logs: Path) -> None:
        self.kafka, self.topic_prefix, self.logs = kafka, topic_prefix, logs
        self.database_urls: dict[str, str] = {}
        self.instances: dict[str, list[Instance]] = {name: [] for name in SERVICES}
        self.client = httpx.AsyncClient(timeout=30)
        self.settings = ServiceSettings(jwt_secret=SECRET)

    def env(self, name: str) -> dict[str, str]:
        prefixes = (*(env_prefix(s) for s in SERVICES), "MINEADMIN_")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
        return inherited | {
            "MINEADMIN_MODE": "dev",
            "MINEADMIN_BROKER": "kafka",
            "MINEADMIN_JWT_SECRET": SECRET,
            "MINEADMIN_KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "MINEADMIN_TOPIC_PREFIX": self.topic_prefix,
            "MINEADMIN_RELAY_POLL_SECONDS": "0.5",
            "MINEADMIN_CONSUMER_RETRY_BASE_SECONDS": "0.05",
            "MINEADMIN_LOG_LEVEL": "INFO",
            f"{env_prefix(name)}DATABASE_URL": self.database_urls[name],
        }

    async def seed(self, names: Iterable[str] = SERVICES) -> None:
        """`mineadmin seed`, as the deployment's migrate job runs it."""
        env: dict[str, str] = {}
        for name in names:
            env |= self.env(name)
        options = [arg for name in names for arg in ("--service", name)]
        done = await asyncio.create_subprocess_exec(
            BIN / "mineadmin",
            "seed",
            *options,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await done.communicate()
        assert done.returncode == 0, output.decode(errors="replace")

    async def start_all(self) -> None:
        """Seed every database, then start one process of each service."""
        await self.seed()
        await asyncio.gather(*(self.start(name) for name in SERVICES))

    async def start(self, name: str) -> Instance:
        """One more process of the service (a second one joins the first's consumer group)."""
        instance = Instance(
            name,
            free_port(),
            free_port(),
            self.env(name),
            self.logs / f"{name}-{len(self.instances[name])}-{uuid.uuid4().hex[:4]}.log",
        )
        instance.start()
        self.instances[name].append(instance)
        await self.until_ready(instance)
        return instance

    async def until_ready(self, instance: Instance) -> None:
        await eventually(
            lambda: instance.ready(self.client),
            timeout=90,
            interval=0.3,
            what=f"{instance.service} ready on :{instance.port}",
        )

    async def restart(self, instance: Instance) -> None:
        instance.start()
        await self.until_ready(instance)

    def auth(self, role: Role, **claims: Any) -> dict[str, str]:
        token = mint_dev_token(self.settings, role=role, **claims)
        return {"Authorization": f"Bearer {token}"}

    def running(self, service: str) -> list[Instance]:
        return [i for i in self.instances[service] if i.process.poll() is None]

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request to the service's first running instance."""
        running = self.running(service)
        assert running, f"no {service} process is running"
        return await self.client.request(method, running[0].url + path, **kwargs)

    async def metrics(self, service: str) -> str:
        """The metrics of the service's first running instance, from its metrics port."""
        running = self.running(service)
        assert running, f"no {service} process is running"
        answer = await self.client.get(running[0].metrics_url)
        answer.raise_for_status()
        return answer.text

    async def run_job(self, service: str, job: str, now: str) -> int:
        response = await self.call(
            service,
            "POST",
            f"/admin/jobs/{job}/run",
            params={"now": now},
            headers=self.auth(Role.bureau_admin),
        )
        assert response.status_code == 200, response.text
        return response.json()["handled"]

    def log_tails(self) -> str:
        return "\n\n".join(
            f"--- {i.service} :{i.port} ---\n{i.log_tail()}"
            for instances in self.instances.values()
            for i in instances
        )

    async def close(self) -> None:
        for instances in self.instances.values():
            for instance in instances:
                instance.stop()
        await self.client.aclose()
