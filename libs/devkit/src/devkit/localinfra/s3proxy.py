"""A real S3-compatible object store (S3Proxy over a filesystem blob store, no Docker) for
tests and dev tools.

S3Proxy's jars come from Maven Central through ``s3proxy-pom.xml`` and are cached outside the
repository; the server runs as a plain ``java`` child process bound to 127.0.0.1 only, with
AWS signature v4 checked against one access key::

    with s3_server(data_dir=tmp_path / "s3") as server:
        client = boto3.client("s3", endpoint_url=server.endpoint_url, ...)
"""

import secrets
import socket
from pathlib import Path

from devkit.localinfra.java_process import (
    HOST,
    JavaProcess,
    JavaServer,
    find_java,
    jvm_command,
)
from devkit.localinfra.maven import cache_root, resolve_jars
from devkit.ports import free_ports

__all__ = ["S3PROXY_VERSION", "S3Server", "S3ServerError", "s3_server"]

S3PROXY_VERSION = "2.6.0"

_POM = Path(__file__).with_name("s3proxy-pom.xml")
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


class S3Server(JavaServer):
    """One S3Proxy JVM; create it with :func:`s3_server`."""

    def __init__(self, *, java: Path, jars: Path, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.endpoint_url = f"http://{HOST}:{port}"
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
        self._process = JavaProcess(
            f"S3Proxy on {self.endpoint_url}",
            jvm_command(
                java,
                [*_JVM_OPTIONS, f"-Dlogback.configurationFile={data_dir / 'logback.xml'}"],
                classpath=jars,
                main="org.gaul.s3proxy.Main",
                args=["--properties", str(data_dir / "s3proxy.properties")],
            ),
            cwd=data_dir,
            log_path=self.log_path,
            error=S3ServerError,
            stop_timeout=_STOP_TIMEOUT_S,
            poll_interval=0.2,
        )

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start the server and block until it answers HTTP."""
        if self.is_running:
            return
        self._process.start(
            lambda: _answers_http(self.port), waiting_for="answer HTTP", timeout=timeout
        )


def default_cache_dir() -> Path:
    return cache_root() / f"s3proxy-{S3PROXY_VERSION}"


def s3_server(*, data_dir: Path, cache_dir: Path | None = None) -> S3Server:
    """Configure a server keeping its buckets in ``data_dir`` on a free port; not started."""
    try:
        jars = resolve_jars(_POM, cache_dir or default_cache_dir())
        java = find_java()
    except RuntimeError as exc:
        raise S3ServerError(str(exc)) from exc
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    [port] = free_ports(1)
    return S3Server(java=java, jars=jars, data_dir=data_dir, port=port)


def _answers_http(port: int) -> bool:
    """True once the server answers an HTTP request (an unsigned one gets 403: still an answer)."""
    try:
        with socket.create_connection((HOST, port), timeout=2.0) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.1")
    except OSError:
        return False
