"""Serving an ASGI app with uvicorn in its own process, loading it with wrk, and reading the
server's CPU time from /proc: what the HTTP benchmarks share."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devkit.ports import free_port

from bench.cpu import cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str

    @property
    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)


@contextmanager
def uvicorn(name: str, factory: str, env: dict[str, str], log: Path, health: str = "/healthz"):
    """``uvicorn --factory <factory>``, one worker, as deploy/entrypoint.sh runs it."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--workers", "1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + health, process, log)
        yield Server(name, process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: not answering after 60 s:\n{log.read_text()[-3000:]}")


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    cpu_seconds: float  # the server's, during this run


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return found


def wrk_version() -> str:
    out = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True)
    return (out.stdout + out.stderr).split()[1] if (out.stdout + out.stderr).split() else "?"


def wrk(
    server: Server, path: str, headers: dict[str, str], *, seconds: int, connections: int
) -> Load:
    """One wrk run (one thread: the machine's other core is the server's)."""
    command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    before = server.cpu
    out = subprocess.run(
        [*command, server.url + path], capture_output=True, text=True, check=True
    ).stdout
    used = server.cpu - before
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{server.name}: wrk saw errors:\n{out}")
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_latency(out, "50%"),
        p99_ms=_latency(out, "99%"),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        cpu_seconds=used,
    )


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", out).groups()
    return float(value) * _UNITS[unit]
