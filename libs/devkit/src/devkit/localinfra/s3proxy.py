"""A real S3-compatible object store (S3Proxy over a filesystem blob store, no Docker) for
tests and dev tools.

S3Proxy's jars come from Maven Central through ``s3proxy-pom.xml`` and are cached outside the
repository; the server runs as a plain ``java`` child process bound to 127.0.0.1 only, with
AWS signature v4 checked against one access key::

    with s3_server(data_dir=tmp_path / "s3") as server:
        client = boto3.client("s3", endpoint_url=server.endpoint_url, ...)
"""

import atexit
import logging
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Self

from devkit.localinfra.kafka import _die_with_parent, _find_java, _free_ports, _signal_group
from devkit.localinfra.maven import cache_root, resolve_jars

__all__ = ["S3PROXY_VERSION", "S3Server", "S3ServerError", "s3_server"]

logger = logging.getLogger(__name__)

S3PROXY_VERSION = "2.6.0"

_POM = Path(__file__).with_name("s3proxy-pom.xml")
_HOST = "127.0.0.1"
_READY_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 15.0
_JVM_OPTIONS = ("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")
# S3Proxy logs through logback, at DEBUG unless told otherwise
_LOGBACK_XML = """\
<configuration>
  <appender name="stdout" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d %level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="stdout"/></root>
</configuration>
"""


class S3ServerError(RuntimeError):
    """The local S3 server could not be set up or started."""


class S3Server:
    """One S3Proxy JVM; create it with :func:`s3_server`."""

    def __init__(self, *, java: Path, jars: Path, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.endpoint_url = f"http://{_HOST}:{port}"
        self.region = "us-east-1"
        self.access_key = "mineadmin-test"
        self.secret_key = secrets.token_hex(16)
        self.log_path = data_dir / "s3proxy.log"
        properties = {
            "s3proxy.endpoint": self.endpoint_url,
            "s3proxy.authorization": "aws-v2-or-v4",
            "s3proxy.identity": self.access_key,
            "s3proxy.credential": self.secret_key,
            "jclouds.provider": "filesystem-nio2",
            "jclouds.identity": "local",  # the blob store's own, unused by a filesystem
            "jclouds.credential": "local",
            "jclouds.filesystem.basedir": str(data_dir / "blobs"),
        }
        (data_dir / "blobs").mkdir(exist_ok=True)
        (data_dir / "s3proxy.properties").write_text(
            "".join(f"{key}={value}\n" for key, value in properties.items())
        )
        (data_dir / "logback.xml").write_text(_LOGBACK_XML)
        self._command = [
            str(java),
            *_JVM_OPTIONS,
            f"-Dlogback.configurationFile={data_dir / 'logback.xml'}",
            "-cp",
            f"{jars}/*",
            "org.gaul.s3proxy.Main",
            "--properties",
            str(data_dir / "s3proxy.properties"),
        ]
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start the server and block until it answers HTTP."""
        if self.is_running:
            return
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(started + timeout)
        except BaseException:
            self.stop(timeout=0)
            raise
        logger.info("S3 server on %s ready in %.1fs", self.endpoint_url, time.monotonic() - started)

    def stop(self, timeout: float = _STOP_TIMEOUT_S) -> None:
        """SIGTERM, SIGKILL after ``timeout``; no-op when not running."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self._process = None
        atexit.unregister(self.stop)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_until_ready(self, deadline: float) -> None:
        assert self._process is not None
        while not _answers_http(self.port):
            exit_code = self._process.poll()
            if exit_code is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-3000:] or "(empty log)"
                state = f"exited with code {exit_code}" if exit_code is not None else "timed out"
                raise S3ServerError(f"S3Proxy {state} during startup; {self.log_path}:\n{tail}")
            time.sleep(0.2)


def default_cache_dir() -> Path:
    return cache_root() / f"s3proxy-{S3PROXY_VERSION}"


def s3_server(*, data_dir: Path, cache_dir: Path | None = None) -> S3Server:
    """Configure a server keeping its buckets in ``data_dir`` on a free port; not started."""
    try:
        jars = resolve_jars(_POM, cache_dir or default_cache_dir())
        java = _find_java()
    except RuntimeError as exc:
        raise S3ServerError(str(exc)) from exc
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    [port] = _free_ports(1)
    return S3Server(java=java, jars=jars, data_dir=data_dir, port=port)


def _answers_http(port: int) -> bool:
    """True once the server answers an HTTP request (an unsigned one gets 403: still an answer)."""
    try:
        with socket.create_connection((_HOST, port), timeout=2.0) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.1")
    except OSError:
        return False
