"""Real Apache Kafka (KRaft, no Docker) for tests and dev tools: a single node, or a cluster of
N nodes, each broker and controller at once.

The broker's jars come from Maven Central through ``kafka-pom.xml`` and are cached outside the
repository; each broker runs as a plain ``java`` child process bound to 127.0.0.1 only::

    with kafka_node(data_dir=tmp_path / "kafka") as node:
        producer = AIOKafkaProducer(bootstrap_servers=node.bootstrap_servers)

    with kafka_cluster(3, data_dir=tmp_path / "cluster") as cluster:
        cluster.nodes[0].stop()  # the other two keep the quorum and the partitions' leaders
"""

import base64
import logging
import socket
import struct
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

from devkit.localinfra.java_process import (
    HOST,
    JavaNotFound,
    JavaProcess,
    JavaServer,
    find_java,
    jvm_command,
)
from devkit.localinfra.maven import MavenError, cache_root, resolve_jars
from devkit.ports import free_ports

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
_NODE_ID = 1  # of a single node
_READY_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 30.0

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


class KafkaNode(JavaServer):
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
        self.bootstrap_servers = f"{HOST}:{broker_port}"
        self.log_path = data_dir / "broker.log"
        self._process = JavaProcess(
            f"Kafka broker {node_id} on {self.bootstrap_servers}",
            jvm_command(
                java,
                [*_JVM_OPTIONS, f"-Dlog4j2.configurationFile={data_dir / 'log4j2.xml'}"],
                classpath=jars,
                main="kafka.Kafka",
                args=[str(data_dir / "server.properties")],
            ),
            cwd=data_dir,
            log_path=self.log_path,
            error=KafkaNodeError,
            stop_timeout=_STOP_TIMEOUT_S,
        )

    @property
    def pid(self) -> int | None:
        """The broker JVM's pid while it runs."""
        return self._process.pid

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start the broker (same ports, same data) and block until it serves metadata."""
        if self.is_running:
            return
        deadline = time.monotonic() + timeout
        log_offset = self.launch()
        self.wait_ready(deadline, log_offset)

    def launch(self) -> int:
        """Start the JVM without waiting (a cluster's nodes need each other's votes to be
        ready); returns the log offset :meth:`wait_ready` reports from."""
        return self._process.launch()

    def wait_ready(self, deadline: float, log_offset: int = 0) -> None:
        """Block until the launched broker lists itself in a metadata response; killed if not
        by ``deadline`` (a ``time.monotonic()``)."""
        self._process.wait_ready(
            lambda: _answers_metadata(self.broker_port, self.node_id),
            waiting_for="answer a metadata request",
            deadline=deadline,
            log_offset=log_offset,
        )

    def terminate(self) -> None:
        """SIGTERM without waiting; :meth:`stop` then waits."""
        self._process.terminate()

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would; no-op when not running."""
        self._process.kill()


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
    jars, java = _jars_and_java(cache_dir)
    data_dir = data_dir.resolve()
    broker_port, controller_port = ports or free_ports(2)
    voters = f"{_NODE_ID}@{HOST}:{controller_port}"
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
    jars, java = _jars_and_java(cache_dir)
    data_dir = data_dir.resolve()
    ports = free_ports(2 * size)
    ids = range(1, size + 1)
    voters = ",".join(f"{i}@{HOST}:{ports[2 * k + 1]}" for k, i in enumerate(ids))
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


def _jars_and_java(cache_dir: Path | None) -> tuple[Path, Path]:
    jars = resolve_kafka_jars(cache_dir or default_cache_dir())
    try:
        return jars, find_java()
    except JavaNotFound as exc:
        raise KafkaNodeError(str(exc)) from exc


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
        "listeners": f"PLAINTEXT://{HOST}:{broker_port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{broker_port}",
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
        jvm_command(
            java,
            ["-Xmx256m", f"-Dlog4j2.configurationFile={data_dir / 'log4j2.xml'}"],
            classpath=jars,
            main="kafka.tools.StorageTool",
            args=["format", "-t", cluster_id, "-c", str(data_dir / "server.properties")],
        ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise KafkaNodeError(f"formatting Kafka storage in {data_dir} failed:\n{output}")
    logger.debug("formatted Kafka storage (cluster %s): %s", cluster_id, output)


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
        with socket.create_connection((HOST, port), timeout=2.0) as sock:
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
