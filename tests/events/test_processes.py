"""The production shape in miniature: rights-api and the notifier as separate uvicorn processes,
configured only through the environment (as deploy/docker-compose.yml does), over real Kafka
and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from devkit.ports import free_port
from devkit.testing import eventually
from servicekit.auth import Role, mint_dev_token
from servicekit.settings import ServiceSettings

from tests.samples import PETROCHINA

pytestmark = pytest.mark.kafka
UVICORN = Path(sys.executable).with_name("uvicorn")
SECRET = "a-production-secret-for-this-test-only-0123456789"


def start(package: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            UVICORN,
            "--factory",
            f"{package}.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def ready(client: httpx.AsyncClient, base: str, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        pytest.fail(f"{base} exited: {process.stderr.read()[-3000:]}")
    try:
        return (await client.get(f"{base}/readyz")).status_code == 200
    except httpx.TransportError:
        return False


async def test_services_in_their_own_processes_exchange_the_event(databases, kafka, topic_prefix):
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINEADMIN_", "RIGHTS_", "NOTIFIER_"))
    }
    base_env |= {
        "MINEADMIN_MODE": "production",
        "MINEADMIN_JWT_SECRET": SECRET,
        "MINEADMIN_KAFKA_BOOTSTRAP_SERVERS": kafka,
        "MINEADMIN_TOPIC_PREFIX": topic_prefix,
        "MINEADMIN_RELAY_POLL_SECONDS": "0.5",
    }
    ports = {"rights_api": free_port(), "notifier": free_port()}
    processes = [
        start(
            "rights_api",
            ports["rights_api"],
            base_env | {"RIGHTS_DATABASE_URL": await databases.create("rights")},
        ),
        start(
            "notifier",
            ports["notifier"],
            base_env | {"NOTIFIER_DATABASE_URL": await databases.create("notifier")},
        ),
    ]
    token = mint_dev_token(ServiceSettings(jwt_secret=SECRET), role=Role.bureau_admin)
    admin = {"Authorization": f"Bearer {token}"}
    rights, notifier = (f"http://127.0.0.1:{ports[p]}" for p in ("rights_api", "notifier"))
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            for base, process in zip((rights, notifier), processes, strict=True):
                await eventually(
                    lambda b=base, p=process: ready(client, b, p), timeout=60, what=f"{base} ready"
                )
            created = await client.post(f"{rights}/holders", json=PETROCHINA, headers=admin)
            assert created.status_code == 201, created.text

            async def received():
                response = await client.get(f"{notifier}/admin/received-events", headers=admin)
                return response.json()["items"]

            items = await eventually(received, what="the event in the notifier's process")
            assert [i["data"]["holder_id"] for i in items] == [created.json()["id"]]
            dev_token = mint_dev_token(ServiceSettings(), role=Role.bureau_admin)
            refused = await client.get(
                f"{notifier}/admin/received-events",
                headers={"Authorization": f"Bearer {dev_token}"},
            )
            assert refused.status_code == 401  # production does not take dev-secret tokens
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            assert process.wait(timeout=30) in (0, -15)
