"""`mineadmin dev` (what `make dev` runs) as a user starts it: a real process, four services on
a real single-node Kafka broker, offline docs, the holder event reaching the notifier, metrics on
their own ports, `mineadmin doctor` checking this stack, a clean stop on Ctrl-C and a restart
right after it."""

import json
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
KAFKA = f"127.0.0.1:{9092 + OFFSET}"
MINEADMIN = Path(sys.executable).with_name("mineadmin")
TIME_WAIT = "06"  # the state column of /proc/net/tcp


def admin(data_dir: Path) -> dict[str, str]:
    """A token as `mineadmin token` signs it for this stack: with the secret `make dev` made
    for its installation (its data dir), and no other."""
    settings = ServiceSettings(dev_secret_file=data_dir / "dev-jwt-secret")
    return {"Authorization": f"Bearer {mint_dev_token(settings, role=Role.bureau_admin)}"}


def clean_env() -> dict[str, str]:
    prefixes = ("MINEADMIN_", "RIGHTS_", "RESTORATION_", "GREENMINE_", "NOTIFIER_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def start_dev(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """`mineadmin dev` until its banner; fails the test with its output when it does not start."""
    process = subprocess.Popen(
        [MINEADMIN, "dev", "--data-dir", data_dir, "--port-offset", str(OFFSET)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
    )
    lines = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Ctrl-C stops every service"):
            return process, "".join(lines)
    process.kill()
    process.communicate()
    pytest.fail("mineadmin dev did not start:\n" + "".join(lines[-40:]))


def stop_dev(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=90)
    assert process.returncode == 0, output[-3000:]
    return output


def doctor(data_dir: Path, *services: str) -> tuple[int, list[dict]]:
    """`mineadmin doctor --json` in a shell that knows nothing but the file `make dev` wrote."""
    only = [arg for name in services for arg in ("--service", name)]
    done = subprocess.run(
        [MINEADMIN, "doctor", "--json", "--env-file", data_dir / "dev.env", *only],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=180,
    )
    return done.returncode, json.loads(done.stdout)["findings"]


def failing(findings: list[dict]) -> set[tuple[str, str]]:
    return {(f["service"], f["check"]) for f in findings if f["level"] == "FAIL"}


def time_wait_on(port: int) -> bool:
    """Whether a TCP connection on the local ``port`` sits in TIME_WAIT."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(
        int(row.split()[1].rsplit(":", 1)[1], 16) == port and row.split()[3] == TIME_WAIT
        for row in rows
    )


def broker_pid(data_dir: Path) -> int:
    """The pid of the broker JVM `make dev` started for ``data_dir``."""
    properties = str(data_dir / "kafka" / "server.properties").encode()
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"kafka.Kafka" in command and properties in command:
            return int(proc.name)
    raise AssertionError(f"no broker JVM runs for {data_dir}")


def running(pid: int) -> bool:
    """Alive and not a zombie (the broker JVM is `mineadmin dev`'s child, reaped only later)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(pid), f"process {pid} still runs"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def dev_process(data_dir):
    process, banner = start_dev(data_dir)
    yield process, banner
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.mark.timeout(600)  # two starts of the whole stack
def test_make_dev_serves_every_service_offline_and_restarts_at_once(dev_process, data_dir):
    process, banner = dev_process
    assert f"Kafka broker {KAFKA}" in banner
    staff = admin(data_dir)
    assert (data_dir / "dev-jwt-secret").stat().st_mode & 0o777 == 0o600
    with httpx.Client(timeout=10) as client:
        for spec in installed_services().values():
            base = f"http://127.0.0.1:{spec.port + OFFSET}"
            assert f"{base}/docs" in banner
            docs = client.get(f"{base}/docs")
            assert docs.status_code == 200
            assert "https://" not in docs.text and "http://" not in docs.text
            assert client.get(f"{base}/openapi.json").json()["info"]["title"] == spec.title
            assert client.get(f"{base}/readyz").json()["status"] == "ok"
            # Prometheus scrapes a port of its own; the public one has no /metrics
            assert client.get(f"{base}/metrics").status_code == 404
            metrics = f"http://127.0.0.1:{spec.port + OFFSET + 100}/metrics"
            assert metrics in banner
            assert "outbox_backlog" in client.get(metrics).text

        # the seed registered the holders of 专栏一 (PetroChina among them): a new one now
        created = client.post(
            "http://127.0.0.1:9001/holders",
            headers=staff,
            json={"credit_code": credit_code(4242), "name": "二连浩特市测试矿业有限公司"},
        )
        assert created.status_code == 201, created.text
        holder_id = created.json()["id"]
        elsewhere = admin(data_dir.parent / "another-installation")
        refused = client.get("http://127.0.0.1:9001/holders", headers=elsewhere)
        assert refused.status_code == 401, refused.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            items = client.get(
                "http://127.0.0.1:9004/admin/received-events",
                headers=staff,
                params={"limit": 200},
            ).json()["items"]
            if holder_id in [i["data"].get("holder_id") for i in items]:
                break
            time.sleep(0.2)
        registered = [
            i["data"]["holder_id"] for i in items if i["type"] == "rights.holder.registered"
        ]
        assert registered.count(holder_id) == 1
        seeded = client.get(
            "http://127.0.0.1:9001/holders", headers=staff, params={"limit": 200}
        ).json()["items"]
        assert "91110000710925462X" in [h["credit_code"] for h in seeded]

        # the doctor, told nothing but what `make dev` wrote, finds the stack healthy
        code, findings = doctor(data_dir)
        assert code == 0, failing(findings)
        checks = {(f["service"], f["check"]): f["detail"] for f in findings}
        for name in installed_services():
            assert checks[(name, "broker")] == KAFKA
            assert f"/{name}?" in checks[(name, "database")]
            assert checks[(name, "readiness")].startswith("http://127.0.0.1:")

        # Ctrl-C while this client holds a fresh keep-alive connection to each service: the
        # servers close them, which leaves TIME_WAIT behind on the services' ports
        for spec in installed_services().values():
            assert client.get(f"http://127.0.0.1:{spec.port + OFFSET}/healthz").is_success
        stop_dev(process)
    assert time_wait_on(9001), "the stop left no TIME_WAIT on :9001: the restart proves nothing"

    again, _ = start_dev(data_dir)  # at once, not a minute later
    try:
        with httpx.Client(timeout=10) as client:
            kept = client.get(f"http://127.0.0.1:9001/holders/{holder_id}", headers=staff)
            assert kept.status_code == 200, kept.text
    finally:
        stop_dev(again)


@pytest.mark.timeout(600)
def test_doctor_names_the_broker_or_the_database_that_stopped(dev_process, data_dir):
    process, _ = dev_process
    code, findings = doctor(data_dir)
    assert code == 0, failing(findings)

    # one service for each failure: each one checks the same broker and database server
    broker = broker_pid(data_dir)
    os.kill(broker, signal.SIGTERM)
    wait_gone(broker)
    code, findings = doctor(data_dir, "rights")
    assert code == 1
    assert ("rights", "broker") in failing(findings)
    assert ("rights", "database") not in failing(findings)
    broker_finding = next(f for f in findings if f["check"] == "broker")
    assert KAFKA in broker_finding["detail"]

    postmaster = int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGINT)  # PostgreSQL's fast shutdown
    wait_gone(postmaster)
    code, findings = doctor(data_dir, "notifier")
    assert code == 1
    assert ("notifier", "database") in failing(findings)
    process.kill()
    process.communicate()
