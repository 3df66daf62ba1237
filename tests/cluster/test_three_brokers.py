"""The services on a three-broker KRaft cluster (replication factor 3, min.insync.replicas 2,
topics made by `mineadmin topics apply`) while mining rights stream in through rights-api,
whose events restoration-api and greenmine-api answer with events of their own:

1. the leader of the busiest partition crashes (SIGKILL): a new leader is elected, the
   consumers go on within the election time (measured), nothing is lost or doubled;
2. a second broker stops: one replica is fewer than min.insync.replicas, so no write is
   acknowledged; rights-api keeps answering, the relay keeps the events in the outbox, whose
   age `mineadmin doctor` and /metrics report;
3. both come back: the backlog drains; every right exactly once everywhere, every event applied
   once by each consumer, and the notifier received each subject's events of one topic in the
   order their service committed them.
"""

import asyncio
import json
import time
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from devkit.testing import eventually

from tests.e2e.audit import nothing_lost_nothing_doubled, query
from tests.e2e.system import BIN, SERVICES, System
from tests.e2e.workload import Workload, gauge

pytestmark = [pytest.mark.kafka, pytest.mark.production_shape, pytest.mark.timeout(600)]

CLUSTER_SETTINGS = {
    "MINEADMIN_KAFKA_REPLICATION_FACTOR": "3",
    "MINEADMIN_KAFKA_MIN_INSYNC_REPLICAS": "2",
}
PRODUCERS = ("rights", "restoration", "greenmine")
OUTBOX_AGE_LIMIT_SECONDS = 3


class ClusterSystem(System):
    def env(self, name: str) -> dict[str, str]:
        return super().env(name) | CLUSTER_SETTINGS

    async def until_ready(self, instance) -> None:
        # three broker JVMs beside the four services on two cores: rights-api's imports alone
        # can take a minute on a busy machine
        await eventually(
            lambda: instance.ready(self.client),
            timeout=240,
            interval=0.5,
            what=f"{instance.service} ready on :{instance.port}",
        )


class Stream:
    """Rights granted one after another until stopped; when each grant was answered."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.answered: dict[str, float] = {}  # right id → monotonic time of its 201
        self._stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        serial = 0
        while not self._stop.is_set():
            serial += 1
            right = await self.workload.grant(serial)
            self.answered[right] = time.monotonic()
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        self._stop.set()
        await self.task

    def granted_after(self, moment: float) -> set[str]:
        return {right for right, at in self.answered.items() if at > moment}


async def test_a_leader_crash_then_a_lost_quorum_of_replicas_lose_and_double_nothing(
    cluster, databases, topic_prefix, tmp_path
):
    began = time.monotonic()
    measured: dict[str, float] = {}
    kafka = cluster.bootstrap_servers
    system = ClusterSystem(kafka=kafka, topic_prefix=topic_prefix, logs=tmp_path)
    for name in SERVICES:
        system.database_urls[name] = await databases.create(name)
    try:
        applied = await mineadmin(system, "topics", "apply")
        assert applied.count(" create ") == 7, applied
        await system.start_all()
        workload = await Workload(system).begin()
        stream = Stream(workload)
        stream.start()
        await eventually(lambda: flowing(system, set(stream.answered)), timeout=60, what="flow")
        measured["started (s)"] = time.monotonic() - began

        # 1. the leader of the busiest partition crashes
        topic, partition, leader = await busiest_partition(system)
        crashed = time.monotonic()
        await asyncio.to_thread(cluster.node(leader).kill)
        new_leader = await eventually(
            lambda: other_leader(system, topic, partition, leader), timeout=30, what="election"
        )
        measured["leader elected (s)"] = time.monotonic() - crashed
        await eventually(
            lambda: journaled_any(system, stream.granted_after(crashed)),
            timeout=60,
            interval=0.2,
            what="the notifier receiving a right granted after the crash",
        )
        measured["consumers going on (s)"] = time.monotonic() - crashed
        assert new_leader != leader

        # 2. a second broker stops: one replica left, fewer than min.insync.replicas
        second = next(n for n in cluster.nodes if n.node_id != leader)
        await asyncio.to_thread(second.stop)
        lost_quorum = time.monotonic()
        await asyncio.sleep(2)  # what the relays had in flight fails or lands
        before = await outbox_sent(system)
        await eventually(
            lambda: backed_up(system, stream, lost_quorum),
            timeout=60,
            interval=0.5,
            what=f"rights-api's outbox older than {OUTBOX_AGE_LIMIT_SECONDS} s",
        )
        doctor = await doctor_findings(system, "rights")
        [outbox] = [f for f in doctor["findings"] if f["check"] == "outbox"]
        assert outbox["level"] == "FAIL" and " unsent, oldest " in outbox["detail"], outbox
        assert doctor["healthy"] is False
        assert await outbox_sent(system) == before, "a write was acknowledged by one replica"
        await stream.stop()
        during = set(stream.granted_after(lost_quorum))
        assert during, "rights-api stopped answering while the cluster could not take writes"
        measured["outage (s)"] = time.monotonic() - lost_quorum

        # 3. both come back; the backlog drains
        restarted = time.monotonic()
        await asyncio.to_thread(cluster.start, 120)
        measured["brokers back (s)"] = time.monotonic() - restarted
        await eventually(
            lambda: journaled_all(system, during), timeout=120, interval=0.5, what="backlog"
        )
        measured["backlog drained (s)"] = time.monotonic() - restarted

        try:
            await workload.settled(timeout=120)
        except AssertionError as failure:  # what the brokers say of the consumer groups
            lag = await doctor_findings(system, *SERVICES)
            said = [f for f in lag["findings"] if f["check"].startswith("consumer")]
            raise AssertionError(f"{failure}\ndoctor: {said}") from None
        applied_once = await nothing_lost_nothing_doubled(system)
        assert all(applied_once[s] > 0 for s in SERVICES), applied_once
        await in_commit_order_per_subject(system)
        healthy = await doctor_findings(system, *SERVICES)
        topics = [f for f in healthy["findings"] if f["check"] == "topics"]
        assert topics and all(f["level"] == "ok" for f in topics), topics
        assert all("replication factor 3, min.insync.replicas 2" in f["detail"] for f in topics)
        assert healthy["healthy"] is True, healthy
        measured["rights granted"] = len(workload.rights)
    finally:
        measured["wall (s)"] = time.monotonic() - began
        print("measured:", {k: round(v, 1) for k, v in measured.items()})
        await system.close()
        print(system.log_tails())


async def mineadmin(system: System, *args: str, ok: bool = True, env=None) -> str:
    env = {k: v for name in SERVICES for k, v in system.env(name).items()} | (env or {})
    done = await asyncio.create_subprocess_exec(
        BIN / "mineadmin",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await done.communicate()
    text = output.decode(errors="replace")
    if ok:
        assert done.returncode == 0, text
    return text


async def doctor_findings(system: System, *services: str) -> dict:
    options = [arg for name in services for arg in ("--service", name)]
    limit = {"MINEADMIN_DOCTOR_OUTBOX_MAX_AGE_SECONDS": str(OUTBOX_AGE_LIMIT_SECONDS)}
    output = await mineadmin(system, "doctor", "--json", *options, ok=False, env=limit)
    return json.loads(output.strip().splitlines()[-1])


async def journal(system: System) -> list[tuple[str, str, str]]:
    """(event id, subject, type) of what the notifier received, in the order it did."""
    return await query(
        system, "notifier", "SELECT event_id::text, subject, type FROM received_events ORDER BY id"
    )


async def journaled_any(system: System, rights: set[str]) -> bool:
    return any(s in rights for _, s, t in await journal(system) if t == "rights.right.granted")


async def journaled_all(system: System, rights: set[str]) -> bool:
    received = {s for _, s, t in await journal(system) if t == "rights.right.granted"}
    return rights <= received


async def flowing(system: System, rights: set[str]) -> bool:
    """Every producing service has published, and the notifier received, something."""
    sources = {t.split(".")[0] for _, _, t in await journal(system)}
    return set(PRODUCERS) <= sources and len(rights) >= 3


async def outbox_sent(system: System) -> dict[str, int]:
    sent = {}
    for service in PRODUCERS:
        [(count,)] = await query(
            system, service, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"
        )
        sent[service] = count
    return sent


async def backed_up(system: System, stream: Stream, since: float) -> bool:
    metrics = await stream.workload.metrics("rights")
    [age] = gauge(metrics, "outbox_oldest_unsent_age_seconds")
    [backlog] = gauge(metrics, "outbox_backlog")
    return backlog > 0 and age > OUTBOX_AGE_LIMIT_SECONDS and bool(stream.granted_after(since))


async def busiest_partition(system: System) -> tuple[str, int, int]:
    """(topic, partition, leader node id) of the event partition holding the most records."""
    topics = [f"{system.topic_prefix}{p}.events" for p in PRODUCERS]
    admin = AIOKafkaAdminClient(bootstrap_servers=system.kafka)
    reader = AIOKafkaConsumer(bootstrap_servers=system.kafka)
    await admin.start()
    await reader.start()
    try:
        described = await admin.describe_topics(topics)
        leaders = {
            TopicPartition(t["topic"], p["partition"]): p["leader"]
            for t in described
            for p in t["partitions"]
        }
        ends = await reader.end_offsets(list(leaders))
    finally:
        await reader.stop()
        await admin.close()
    busiest = max(ends, key=ends.get)
    return busiest.topic, busiest.partition, leaders[busiest]


async def other_leader(system: System, topic: str, partition: int, old: int) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=system.kafka, request_timeout_ms=5000)
    try:
        await admin.start()
        [described] = await admin.describe_topics([topic])
        [state] = [p for p in described["partitions"] if p["partition"] == partition]
    except Exception:  # the crashed broker still in the metadata: try again
        return None
    finally:
        await admin.close()
    return state["leader"] if state["leader"] not in (old, -1) else None


async def in_commit_order_per_subject(system: System) -> None:
    """Per producing service and Kafka key, the notifier received the events in outbox order."""
    received = {event_id: n for n, (event_id, _, _) in enumerate(await journal(system))}
    for service in PRODUCERS:
        per_key: dict[str, list[int]] = defaultdict(list)
        rows = await query(
            system,
            service,
            "SELECT event_id::text, key FROM outbox WHERE topic NOT LIKE '%.dlq' ORDER BY id",
        )
        for event_id, key in rows:
            if event_id in received:
                per_key[key].append(received[event_id])
        out_of_order = {k: v for k, v in per_key.items() if v != sorted(v)}
        assert not out_of_order, f"{service}: received out of commit order: {out_of_order}"
        assert per_key, f"{service}: the notifier received none of its events"
