"""`mineadmin dev` (what `make dev` runs) as a user starts it: a real process, four services,
offline docs, the holder event reaching the notifier, a clean stop on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from servicekit.auth import Role, mint_dev_token
from servicekit.services import installed_services
from servicekit.settings import ServiceSettings

from tests.samples import credit_code

OFFSET = 1000  # ports 9001-9004, clear of a developer's own `make dev`
MINEADMIN = Path(sys.executable).with_name("mineadmin")


@pytest.fixture
def dev_process(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINEADMIN_", "RIGHTS_", "RESTORATION_", "GREENMINE_", "NOTIFIER_"))
    }
    process = subprocess.Popen(
        [MINEADMIN, "dev", "--data-dir", tmp_path / "data", "--port-offset", str(OFFSET)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Ctrl-C stops every service"):
            break
    else:
        process.kill()
    if process.poll() is not None or not lines[-1].startswith("Ctrl-C"):
        process.kill()
        pytest.fail("mineadmin dev did not start:\n" + "".join(lines[-40:]))
    yield process, "".join(lines)
    if process.poll() is None:
        process.kill()


def test_make_dev_serves_every_service_offline_and_stops_on_ctrl_c(dev_process):
    process, banner = dev_process
    admin = {"Authorization": f"Bearer {mint_dev_token(ServiceSettings(), role=Role.bureau_admin)}"}
    with httpx.Client(timeout=10) as client:
        for spec in installed_services().values():
            base = f"http://127.0.0.1:{spec.port + OFFSET}"
            assert f"{base}/docs" in banner
            docs = client.get(f"{base}/docs")
            assert docs.status_code == 200
            assert "https://" not in docs.text and "http://" not in docs.text
            assert client.get(f"{base}/openapi.json").json()["info"]["title"] == spec.title
            assert client.get(f"{base}/readyz").json()["status"] == "ok"

        # the seed registered the holders of 专栏一 (PetroChina among them): a new one now
        created = client.post(
            "http://127.0.0.1:9001/holders",
            headers=admin,
            json={"credit_code": credit_code(4242), "name": "二连浩特市测试矿业有限公司"},
        )
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            items = client.get(
                "http://127.0.0.1:9004/admin/received-events",
                headers=admin,
                params={"limit": 200},
            ).json()["items"]
            if created.json()["id"] in [i["data"].get("holder_id") for i in items]:
                break
            time.sleep(0.2)
        registered = [
            i["data"]["holder_id"] for i in items if i["type"] == "rights.holder.registered"
        ]
        assert registered.count(created.json()["id"]) == 1
        seeded = client.get(
            "http://127.0.0.1:9001/holders", headers=admin, params={"limit": 200}
        ).json()["items"]
        assert "91110000710925462X" in [h["credit_code"] for h in seeded]

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output[-3000:]
