"""The local Kafka harness runs a real broker that keeps its data across restarts and crashes."""

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import ConsumerRecord
from devkit.localinfra.kafka import KafkaNode, kafka_node

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaNode]:
    with kafka_node(data_dir=tmp_path_factory.mktemp("kafka")) as running:
        yield running


async def _create_topic(bootstrap_servers: str) -> str:
    topic = f"test-{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    return topic


async def _produce(bootstrap_servers: str, topic: str, value: bytes) -> None:
    async with AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True
    ) as producer:
        await producer.send_and_wait(
            topic, value, key=b"permit-1", headers=[("event-type", b"PermitIssued")]
        )


async def _consume(bootstrap_servers: str, topic: str, count: int) -> list[ConsumerRecord]:
    records: list[ConsumerRecord] = []
    async with AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"group-{uuid.uuid4().hex[:12]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    ) as consumer:
        async with asyncio.timeout(30):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=1000)
                for batch in batches.values():
                    records.extend(batch)
    return records


async def test_messages_round_trip_and_survive_a_restart(node: KafkaNode) -> None:
    bootstrap_servers = node.bootstrap_servers
    assert bootstrap_servers.startswith("127.0.0.1:")
    topic = await _create_topic(bootstrap_servers)

    await _produce(bootstrap_servers, topic, b"before-restart")
    [record] = await _consume(bootstrap_servers, topic, 1)
    assert record.value == b"before-restart"
    assert record.key == b"permit-1"
    assert list(record.headers) == [("event-type", b"PermitIssued")]

    node.stop()
    assert not node.is_running
    node.stop()  # idempotent
    node.start()
    assert node.bootstrap_servers == bootstrap_servers

    await _produce(bootstrap_servers, topic, b"after-restart")
    records = await _consume(bootstrap_servers, topic, 2)
    assert [r.value for r in records] == [b"before-restart", b"after-restart"]
    assert all(list(r.headers) == [("event-type", b"PermitIssued")] for r in records)


async def test_acknowledged_messages_survive_a_kill(node: KafkaNode) -> None:
    topic = await _create_topic(node.bootstrap_servers)
    await _produce(node.bootstrap_servers, topic, b"acknowledged")

    node.kill()
    assert node.pid is None
    node.start()

    [record] = await _consume(node.bootstrap_servers, topic, 1)
    assert record.value == b"acknowledged"


def test_a_cluster_id_never_reads_as_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from devkit.localinfra import kafka

    # 0xf8 encodes to "-" as the first base64url character: the storage tool would refuse it.
    draws = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(draws))

    assert kafka._new_cluster_id() == "AQEBAQEBAQEBAQEBAQEBAQ"
