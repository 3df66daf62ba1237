"""Apache Kafka through aiokafka: an idempotent producer with acks=all, manual offset commits."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError, KafkaError

from servicekit.events.broker import BrokerUnavailable, RecordHandler
from servicekit.events.envelope import Record

log = logging.getLogger("servicekit.kafka")
RETRY_PAUSE_SECONDS = 2.0


class KafkaBroker:
    def __init__(
        self, bootstrap_servers: str, *, client_id: str, request_timeout_ms: int = 15000
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.request_timeout_ms = request_timeout_ms
        self._producer: AIOKafkaProducer | None = None
        self._producer_lock = asyncio.Lock()
        self._subscriptions: list[KafkaSubscription] = []

    async def start(self) -> None:
        """Nothing to do up front: a broker that is down must not stop the service starting."""

    async def stop(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.stop()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def _ensure_producer(self) -> AIOKafkaProducer:
        async with self._producer_lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.bootstrap_servers,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=2,
                    request_timeout_ms=self.request_timeout_ms,
                )
                try:
                    await producer.start()
                except (KafkaError, OSError) as exc:
                    await producer.stop()
                    raise BrokerUnavailable(f"cannot reach Kafka: {exc}") from exc
                self._producer = producer
            return self._producer

    async def send(self, records: Sequence[Record]) -> None:
        producer = await self._ensure_producer()
        try:
            pending = [
                await producer.send(r.topic, value=r.value, key=r.key, headers=list(r.headers))
                for r in records
            ]
            await asyncio.gather(*pending)
        except (KafkaError, OSError) as exc:
            raise BrokerUnavailable(f"Kafka did not acknowledge: {exc!r}") from exc

    async def ping(self) -> None:
        producer = await self._ensure_producer()
        try:
            await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout=3)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise BrokerUnavailable(f"Kafka metadata request failed: {exc!r}") from exc

    async def subscribe(
        self, group: str, topics: Sequence[str], handler: RecordHandler
    ) -> "KafkaSubscription":
        subscription = KafkaSubscription(self, group, topics, handler)
        self._subscriptions.append(subscription)
        subscription.task = asyncio.create_task(subscription.run(), name=f"consumer:{group}")
        return subscription


class _CommitFinishedWork(ConsumerRebalanceListener):
    def __init__(self, subscription: "KafkaSubscription") -> None:
        self.subscription = subscription

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.subscription.commit(list(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class KafkaSubscription:
    """One consumer-group member. An offset is committed only after its record's effect is."""

    def __init__(
        self, broker: KafkaBroker, group: str, topics: Sequence[str], handler: RecordHandler
    ) -> None:
        self.broker, self.group, self.topics, self.handler = broker, group, list(topics), handler
        self.task: asyncio.Task[None] | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self._done: dict[TopicPartition, int] = {}  # next offset to commit, per partition
        self._committed: dict[TopicPartition, int] = {}
        self._lag: dict[tuple[str, int], int] = {}

    def lag(self) -> dict[tuple[str, int], int]:
        return dict(self._lag)

    async def run(self) -> None:
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "consumer %s failed; restarting in %.0fs", self.group, RETRY_PAUSE_SECONDS
                )
                await self._close()
                await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def _consume(self) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=self.broker.bootstrap_servers,
            group_id=self.group,
            client_id=f"{self.broker.client_id}-{self.group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            metadata_max_age_ms=5000,
        )
        await self.consumer.start()
        self.consumer.subscribe(self.topics, listener=_CommitFinishedWork(self))
        while True:
            batches = await self.consumer.getmany(timeout_ms=1000, max_records=200)
            for tp, messages in batches.items():
                for message in messages:
                    record = Record(
                        message.topic,
                        message.key,
                        message.value,
                        tuple(message.headers or ()),
                        message.partition,
                        message.offset,
                    )
                    try:
                        await self.handler(record)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # not the event's fault (e.g. database down): retry it
                        log.exception(
                            "consumer %s could not process %s:%s@%s; retrying",
                            self.group,
                            tp.topic,
                            tp.partition,
                            message.offset,
                        )
                        self.consumer.seek(tp, message.offset)
                        await asyncio.sleep(RETRY_PAUSE_SECONDS)
                        break
                    self._done[tp] = message.offset + 1
                await self.commit([tp])
            await self._update_lag()

    async def commit(self, partitions: list[TopicPartition]) -> None:
        offsets = {
            tp: self._done[tp]
            for tp in partitions
            if tp in self._done and self._committed.get(tp) != self._done[tp]
        }
        if not offsets or self.consumer is None:
            return
        try:
            await self.consumer.commit(offsets)
            self._committed.update(offsets)
        except CommitFailedError:  # the partition moved to another member, which re-reads it
            log.warning("consumer %s lost partitions before committing %s", self.group, offsets)
        finally:
            for tp in offsets:
                if tp not in self.consumer.assignment():
                    self._done.pop(tp, None)
                    self._committed.pop(tp, None)

    async def _update_lag(self) -> None:
        assert self.consumer is not None
        lag = {}
        for tp in self.consumer.assignment():
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                position = self._done.get(tp) or await self.consumer.position(tp)
                lag[(tp.topic, tp.partition)] = max(highwater - position, 0)
        self._lag = lag

    async def _close(self) -> None:
        if self.consumer is not None:
            try:
                await self.consumer.stop()
            except Exception:
                log.exception("consumer %s did not stop cleanly", self.group)
            self.consumer = None
        self._done.clear()
        self._committed.clear()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            self.task = None
        if self.consumer is not None:
            await self.commit(list(self._done))
        await self._close()
        if self in self.broker._subscriptions:
            self.broker._subscriptions.remove(self)


@dataclass(frozen=True)
class GroupState:
    state: str  # "Stable", "PreparingRebalance", "Empty", "Dead" ...
    members: int  # consumers in the group now


async def group_state(bootstrap_servers: str, group: str, *, timeout_ms: int = 10000) -> GroupState:
    """The consumer group as its coordinator describes it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        [described] = response.to_object()["groups"]
        return GroupState(described["state"], len(described["members"]))
    finally:
        await admin.close()


async def group_lag(
    bootstrap_servers: str, group: str, topics: Sequence[str], *, timeout_ms: int = 10000
) -> dict[str, int]:
    """Records of each topic the consumer group has not yet committed past: end offsets (as a
    read_committed consumer sees them) minus the group's committed offsets, or minus the start
    of the partition where the group has committed nothing. A topic not created yet counts 0."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms)
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        request_timeout_ms=timeout_ms,
    )
    await admin.start()
    try:
        await reader.start()
        committed = await admin.list_consumer_group_offsets(group)
        existing = set(await admin.list_topics()).intersection(topics)
        described = await admin.describe_topics(sorted(existing)) if existing else []
        partitions = [
            TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
        ]
        ends = await reader.end_offsets(partitions) if partitions else {}
        starts = await reader.beginning_offsets(partitions) if partitions else {}
        lag = dict.fromkeys(topics, 0)
        for tp in partitions:
            done = committed[tp].offset if tp in committed else -1
            lag[tp.topic] += max(ends[tp] - (done if done >= 0 else starts[tp]), 0)
        return lag
    finally:
        await reader.stop()
        await admin.close()
