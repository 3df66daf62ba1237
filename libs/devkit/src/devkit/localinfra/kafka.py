"""Real Apache Kafka (KRaft, no Docker) for tests and dev tools: a single node, or a cluster of
N nodes, each broker and controller at once.

The broker's jars come from Maven Central through ``kafka-pom.xml`` and are cached outside the
repository; each broker runs as a plain ``java`` child process bound to 127.0.0.1 only::

    with kafka_node(data_dir=tmp_path / "kafka") as node:
        producer = AIOKafkaProducer(bootstrap_servers=node.bootstrap_servers)

    with kafka_cluster(3, data_dir=tmp_path / "cluster") as cluster:
        cluster.nodes[0].stop()  # the other two keep the quorum and the partitions' leaders
"""

import atexit
import base64
import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

from devkit.localinfra.maven import MavenError, cache_root, resolve_jars

__all__ = [
    "KAFKA_VERSION",
    "KafkaCluster",
    "KafkaNode",
    "KafkaNodeError",
    "default_cache_dir",
    "kafka_cluster",
    "kafka_node",
    "resolve_kafka_jars",
]

logger = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.2"

_POM = Path(__file__).with_name("kafka-pom.xml")
_HOST = "127.0.0.1"
_NODE_ID = 1  # of a single node
_READY_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 30.0
_LOG_TAIL_LINES = 40
_STACK_FRAME = re.compile(r"\s+(at |\.\.\. \d+ more)")
_PR_SET_PDEATHSIG = 1

# Heap sized for a 2-core test machine; GC flags as in Kafka's own kafka-run-class.sh.
_JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx768m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)

# The JVM's stdout and stderr go to data_dir/broker.log, so the console is the broker log. Only
# warnings (state-change, request and controller loggers included) plus the started/stopped
# lines; shutdownHook="disable" spares a "cannot register Log4j shutdown hook" warning per stop.
_LOG4J2_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn" shutdownHook="disable">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>
    <Root level="WARN">
      <AppenderRef ref="stdout"/>
    </Root>
  </Loggers>
</Configuration>
"""


class KafkaNodeError(RuntimeError):
    """The local Kafka broker could not be set up, started or stopped."""


class KafkaNode:
    """One broker+controller JVM; create it with :func:`kafka_node` or :func:`kafka_cluster`."""

    def __init__(
        self,
        *,
        java: Path,
        jars: Path,
        data_dir: Path,
        broker_port: int,
        controller_port: int,
        node_id: int = _NODE_ID,
    ) -> None:
        self.node_id = node_id
        self.data_dir = data_dir
        self.broker_port = broker_port
        self.controller_port = controller_port
        self.bootstrap_servers = f"{_HOST}:{broker_port}"
        self.log_path = data_dir / "broker.log"
        self._command = [
            str(java),
            *_JVM_OPTIONS,
            f"-Dlog4j2.configurationFile={data_dir / 'log4j2.xml'}",
            "-cp",
            f"{jars}/*",
            "kafka.Kafka",
            str(data_dir / "server.properties"),
        ]
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0

    @property
    def pid(self) -> int | None:
        """The broker JVM's pid while it runs."""
        return self._process.pid if self.is_running else None

    @property
    def is_running(self) -> bool:
        """Whether the broker JVM is alive (not whether it serves requests yet)."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start the broker (same ports, same data) and block until it serves metadata."""
        if self.is_running:
            return
        started = time.monotonic()
        log_offset = self.launch()
        self.wait_ready(started + timeout, log_offset)

    def launch(self) -> int:
        """Start the JVM without waiting (a cluster's nodes need each other's votes to be
        ready); returns the log offset :meth:`wait_ready` reports from."""
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._started = time.monotonic()
        with self.log_path.open("ab") as log:
            process = self._process = subprocess.Popen(
                self._command,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
        atexit.register(self.stop)
        logger.debug("Kafka broker %d launched (pid %d)", self.node_id, process.pid)
        return log_offset

    def wait_ready(self, deadline: float, log_offset: int = 0) -> None:
        """Block until the launched broker lists itself in a metadata response; killed if not
        by ``deadline`` (a ``time.monotonic()``)."""
        try:
            self._wait_until_ready(deadline, log_offset)
        except BaseException:
            self.kill()
            raise
        logger.info(
            "Kafka broker %d on %s ready in %.1fs",
            self.node_id,
            self.bootstrap_servers,
            time.monotonic() - self._started,
        )

    def stop(self, timeout: float = _STOP_TIMEOUT_S) -> None:
        """Shut down gracefully (SIGTERM), SIGKILL after ``timeout``; no-op when not running."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("Kafka broker ignored SIGTERM for %.0fs: killing it", timeout)
                _signal_group(process, signal.SIGKILL)
                process.wait()
            logger.info("Kafka broker on %s stopped", self.bootstrap_servers)
        self._forget()

    def terminate(self) -> None:
        """SIGTERM without waiting; :meth:`stop` then waits."""
        if self._process is not None:
            _signal_group(self._process, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would; no-op when not running."""
        process = self._process
        if process is None:
            return
        _signal_group(process, signal.SIGKILL)
        process.wait()
        self._forget()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _forget(self) -> None:
        self._process = None
        atexit.unregister(self.stop)

    def _wait_until_ready(self, deadline: float, log_offset: int) -> None:
        assert self._process is not None
        while True:
            exit_code = self._process.poll()
            if exit_code is not None:
                raise KafkaNodeError(
                    f"Kafka broker exited with code {exit_code} during startup; "
                    f"{self._log_tail(log_offset)}"
                )
            if _answers_metadata(self.broker_port, self.node_id):
                return
            if time.monotonic() > deadline:
                raise KafkaNodeError(
                    f"Kafka broker on {self.bootstrap_servers} did not answer a metadata "
                    f"request in time; {self._log_tail(log_offset)}"
                )
            time.sleep(0.1)

    def _log_tail(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                lines = log.read().decode(errors="replace").splitlines()
        except OSError as error:
            return f"broker log {self.log_path} unreadable: {error}"
        # Stack frames would push the messages and their "Caused by" lines out of the tail.
        lines = [line for line in lines if not _STACK_FRAME.match(line)]
        tail = "\n".join(lines[-_LOG_TAIL_LINES:]) or "(empty)"
        return f"last lines of {self.log_path} (stack frames left out):\n{tail}"


def default_cache_dir() -> Path:
    """``$MINEADMIN_CACHE_DIR/kafka-<version>``, else ``~/.cache/mineadmin/kafka-<version>``."""
    return cache_root() / f"kafka-{KAFKA_VERSION}"


def resolve_kafka_jars(cache_dir: Path) -> Path:
    """Copy the broker's runtime jars into ``cache_dir/libs`` with Maven, once; return that dir."""
    try:
        return resolve_jars(_POM, cache_dir)
    except MavenError as exc:
        raise KafkaNodeError(str(exc)) from exc


def kafka_node(
    *, data_dir: Path, cache_dir: Path | None = None, ports: tuple[int, int] | None = None
) -> KafkaNode:
    """Configure (and format, if new) a broker in ``data_dir``; not started. ``ports`` are the
    broker's and the controller's (``make dev`` keeps them fixed); two free ones by default."""
    jars = resolve_kafka_jars(cache_dir or default_cache_dir())
    java = _find_java()
    data_dir = data_dir.resolve()
    broker_port, controller_port = ports or _free_ports(2)
    voters = f"{_NODE_ID}@{_HOST}:{controller_port}"
    properties = _server_properties(data_dir, _NODE_ID, broker_port, controller_port, voters)
    _configure(java, jars, data_dir, properties, cluster_id=None)
    return KafkaNode(
        java=java,
        jars=jars,
        data_dir=data_dir,
        broker_port=broker_port,
        controller_port=controller_port,
    )


class KafkaCluster:
    """N broker+controller JVMs in one KRaft quorum; create it with :func:`kafka_cluster`."""

    def __init__(self, nodes: list[KafkaNode]) -> None:
        self.nodes = nodes
        self.bootstrap_servers = ",".join(node.bootstrap_servers for node in nodes)

    def node(self, node_id: int) -> KafkaNode:
        [node] = [n for n in self.nodes if n.node_id == node_id]
        return node

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start every node not running, together, and block until each serves metadata."""
        deadline = time.monotonic() + timeout
        launched = [(node, node.launch()) for node in self.nodes if not node.is_running]
        try:
            for node, log_offset in launched:
                node.wait_ready(deadline, log_offset)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """All at once: the last node of a quorum stopped alone waits in vain for the others."""
        for node in self.nodes:
            node.terminate()
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def kafka_cluster(
    size: int = 3, *, data_dir: Path, min_insync_replicas: int = 2, cache_dir: Path | None = None
) -> KafkaCluster:
    """Configure and format ``size`` nodes in ``data_dir/node-<id>``, each a broker and a
    controller; the internal topics get replication factor ``size`` and every topic
    ``min_insync_replicas`` by default. Not started."""
    jars = resolve_kafka_jars(cache_dir or default_cache_dir())
    java = _find_java()
    data_dir = data_dir.resolve()
    ports = _free_ports(2 * size)
    ids = range(1, size + 1)
    voters = ",".join(f"{i}@{_HOST}:{ports[2 * k + 1]}" for k, i in enumerate(ids))
    cluster_id = _new_cluster_id()
    nodes = [
        KafkaNode(
            java=java,
            jars=jars,
            data_dir=data_dir / f"node-{node_id}",
            broker_port=ports[2 * k],
            controller_port=ports[2 * k + 1],
            node_id=node_id,
        )
        for k, node_id in enumerate(ids)
    ]

    def configure(node: KafkaNode) -> None:
        properties = _server_properties(
            node.data_dir, node.node_id, node.broker_port, node.controller_port, voters
        ) | _replicated(size, min_insync_replicas)
        _configure(java, jars, node.data_dir, properties, cluster_id=cluster_id)

    with ThreadPoolExecutor(size) as formatting:  # a JVM each: together, not one by one
        list(formatting.map(configure, nodes))
    return KafkaCluster(nodes)


def _replicated(size: int, min_insync: int) -> dict[str, str]:
    return {
        "default.replication.factor": str(size),
        "min.insync.replicas": str(min_insync),
        "offsets.topic.replication.factor": str(size),
        "transaction.state.log.replication.factor": str(size),
        "transaction.state.log.min.isr": str(min_insync),
        "share.coordinator.state.topic.replication.factor": str(size),
        "share.coordinator.state.topic.min.isr": str(min_insync),
        # A leader that comes back takes its partitions back at once, not after 5 minutes.
        "leader.imbalance.check.interval.seconds": "5",
    }


def _configure(
    java: Path, jars: Path, data_dir: Path, properties: dict[str, str], cluster_id: str | None
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "server.properties").write_text(
        "".join(f"{key}={value}\n" for key, value in properties.items())
    )
    (data_dir / "log4j2.xml").write_text(_LOG4J2_XML)
    if not (Path(properties["log.dirs"]) / "meta.properties").exists():
        _format_storage(java, jars, data_dir, cluster_id or _new_cluster_id())


def _new_cluster_id() -> str:
    # As Kafka's own Uuid.randomUuid: an id starting with "-" would be read by the storage
    # tool's argument parser as an option (one id in 64 would fail to format).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _server_properties(
    data_dir: Path, node_id: int, broker_port: int, controller_port: int, voters: str
) -> dict[str, str]:
    return {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        # A static voter set: unlike a --standalone dynamic quorum, it does not record the
        # controller's address in the metadata log, so a data dir can be reopened on new ports.
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{_HOST}:{broker_port},CONTROLLER://{_HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{_HOST}:{broker_port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data_dir / "kafka-logs"),
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
        "group.initial.rebalance.delay.ms": "0",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
        # After a SIGKILL the controller refuses the broker's new registration until the old
        # session expires (9 s by default); a shorter session makes kill-then-start quicker.
        "broker.heartbeat.interval.ms": "1000",
        "broker.session.timeout.ms": "4000",
    }


def _format_storage(java: Path, jars: Path, data_dir: Path, cluster_id: str) -> None:
    result = subprocess.run(
        [
            str(java),
            "-Xmx256m",
            f"-Dlog4j2.configurationFile={data_dir / 'log4j2.xml'}",
            "-cp",
            f"{jars}/*",
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(data_dir / "server.properties"),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise KafkaNodeError(f"formatting Kafka storage in {data_dir} failed:\n{output}")
    logger.debug("formatted Kafka storage (cluster %s): %s", cluster_id, output)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the JVM's process group (it leads one: ``start_new_session``) unless reaped."""
    if process.poll() is None:  # a reaped pid, and so its group id, may have been reused
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _find_java() -> Path:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if java is None or not os.access(java, os.X_OK):
        raise KafkaNodeError("no Java runtime: put 'java' (17+) on PATH or set JAVA_HOME")
    return Path(java)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:  # all bound at once, so the ports differ
            sock.bind((_HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _metadata_request() -> bytes:
    """MetadataRequest v4 (the oldest Kafka 4 accepts) for no topics, header v1."""
    client_id = b"mineadmin-localinfra"
    header = struct.pack(">hhih", 3, 4, 1, len(client_id)) + client_id
    body = struct.pack(">ib", 0, 0)  # topics: empty array; allow_auto_topic_creation: false
    return struct.pack(">i", len(header) + len(body)) + header + body


_METADATA_REQUEST = _metadata_request()


def _answers_metadata(port: int, node_id: int) -> bool:
    """True once the broker lists itself (registered and unfenced) in a metadata response."""
    try:
        with socket.create_connection((_HOST, port), timeout=2.0) as sock:
            sock.sendall(_METADATA_REQUEST)
            (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
            response = _recv_exactly(sock, size)
        return node_id in _broker_ids(response)
    except (OSError, struct.error):
        return False


def _broker_ids(response: bytes) -> set[int]:
    """The node ids of a MetadataResponse v4's brokers array."""
    # correlation_id, throttle_time_ms, then the brokers: node_id, host, port, rack (nullable)
    _, _, count = struct.unpack_from(">iii", response)
    offset, ids = 12, set()
    for _ in range(count):
        (node_id, host_length) = struct.unpack_from(">ih", response, offset)
        offset += 6 + host_length + 4
        (rack_length,) = struct.unpack_from(">h", response, offset)
        offset += 2 + max(rack_length, 0)
        ids.add(node_id)
    return ids


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        chunks += chunk
    return bytes(chunks)


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` making Linux SIGKILL the child when this process dies.

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so it is only armed from the
    main thread; from other threads the ``atexit`` stop is the only guard.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return arm
