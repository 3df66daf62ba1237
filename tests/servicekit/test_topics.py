"""`mineadmin topics apply`: the topics the services need, created and kept as planned, on a
real broker (one node here: replication factor 1; the three-broker test plans 3)."""

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from devkit.testing import eventually
from restoration_api.app import SERVICE as RESTORATION
from servicekit.cli import app
from servicekit.doctor import Level, _topics
from servicekit.settings import ServiceSettings
from servicekit.topics import (
    Action,
    TopicSpec,
    TopicState,
    apply,
    compare,
    plan_changes,
    topic_plan,
)
from typer.testing import CliRunner

pytestmark = pytest.mark.kafka


def plan_of(prefix: str, **settings: object) -> ServiceSettings:
    return ServiceSettings(topic_prefix=prefix, **settings)


def test_the_plan_is_every_event_topic_and_every_consumer_groups_dead_letters():
    plan = topic_plan(plan_of("p.", kafka_replication_factor=3, kafka_min_insync_replicas=2))
    assert [t.name for t in plan] == [
        "p.greenmine.events",
        "p.restoration.events",
        "p.rights.events",
        "p.greenmine.dlq",
        "p.notifier.dlq",
        "p.restoration.dlq",
        "p.rights.dlq",
    ]
    assert {(t.partitions, t.replication_factor) for t in plan} == {(6, 3)}
    assert {t.configs["min.insync.replicas"] for t in plan} == {"2"}
    assert {t.configs["cleanup.policy"] for t in plan} == {"delete"}


def test_min_insync_above_the_replication_factor_is_refused_as_a_setting():
    with pytest.raises(ValueError, match="no write could ever be acknowledged"):
        ServiceSettings(kafka_replication_factor=1, kafka_min_insync_replicas=2)


def test_what_would_lose_data_or_order_is_refused_naming_why():
    plan = TopicSpec("t", 6, 3, {"min.insync.replicas": "2", "retention.ms": "1000"})
    state = TopicState("t", 6, 3, {"min.insync.replicas": "2", "retention.ms": "1000"})
    assert compare(plan, state).action is Action.ok
    assert compare(plan, None).action is Action.create
    fewer = compare(plan, TopicState("t", 3, 3, state.configs))
    assert fewer.action is Action.refuse and "order per subject" in fewer.detail
    more = compare(plan, TopicState("t", 12, 3, state.configs))
    assert more.action is Action.refuse and "cannot remove partitions" in more.detail
    thin = compare(plan, TopicState("t", 6, 1, state.configs))
    assert thin.action is Action.refuse and "replication factor 1" in thin.detail
    longer = TopicState("t", 6, 3, {"min.insync.replicas": "2", "retention.ms": "5000"})
    assert compare(plan, longer).action is Action.refuse
    assert compare(plan, longer, allow_shrink=True).action is Action.alter
    forever = TopicState("t", 6, 3, {"min.insync.replicas": "2", "retention.ms": "-1"})
    assert compare(plan, forever).action is Action.refuse
    isr = compare(plan, TopicState("t", 6, 3, {"min.insync.replicas": "1", "retention.ms": "1000"}))
    assert isr.action is Action.alter and "min.insync.replicas=2" in isr.detail


async def as_planned(settings: ServiceSettings) -> None:
    async def unchanged() -> bool:
        return {c.action for c in await plan_changes(settings)} == {Action.ok}

    await eventually(unchanged, timeout=15, what="every topic as planned")


async def test_apply_creates_then_changes_nothing_then_sets_what_drifted(kafka, topic_prefix):
    settings = plan_of(topic_prefix, kafka_bootstrap_servers=kafka)
    first = await apply(settings)
    assert {c.action for c in first} == {Action.create}
    assert {c.action for c in await apply(settings)} == {Action.ok}

    drifted = settings.model_copy(update={"kafka_events_retention_ms": 3_600_000 * 24 * 30})
    changes = {c.topic: c.action for c in await apply(drifted)}
    assert changes[f"{topic_prefix}rights.events"] is Action.alter
    assert changes[f"{topic_prefix}rights.dlq"] is Action.ok
    await as_planned(drifted)  # brokers take the new config from the metadata log
    # back to the shorter retention: refused unless asked for
    refused = {c.topic: c for c in await apply(settings)}[f"{topic_prefix}rights.events"]
    assert refused.action is Action.refuse and "--allow-shrink" in refused.detail
    assert {c.action for c in await apply(settings, allow_shrink=True)} <= {Action.ok, Action.alter}


async def test_the_command_refuses_a_topic_made_otherwise_and_names_it(
    kafka, topic_prefix, monkeypatch
):
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:  # made by hand (or auto-created) with the broker's 3 partitions
        await admin.create_topics([NewTopic(f"{topic_prefix}rights.events", 3, 1)])
    finally:
        await admin.close()
    for key, value in {"KAFKA_BOOTSTRAP_SERVERS": kafka, "TOPIC_PREFIX": topic_prefix}.items():
        monkeypatch.setenv(f"MINEADMIN_{key}", value)
    result = await asyncio.to_thread(CliRunner().invoke, app, ["topics", "apply"])
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if "rights.events" in line]
    assert "refuse" in line and "has 3 partitions, the plan 6" in line
    assert f"{topic_prefix}restoration.events" in result.output  # the others were created


async def test_doctor_fails_naming_a_topic_whose_min_insync_differs(kafka, topic_prefix):
    settings = RESTORATION.settings(kafka_bootstrap_servers=kafka, topic_prefix=topic_prefix)
    found: list[tuple[str, Level, str]] = []

    def note(check: str, level: Level, detail: str) -> None:
        found.append((check, level, detail))

    await _topics(RESTORATION, settings, note)
    assert {level for _, level, _ in found} == {Level.fail}
    assert any("missing; run `mineadmin topics apply`" in d for _, _, d in found)

    await apply(settings)
    await as_planned(settings)
    found.clear()
    await _topics(RESTORATION, settings, note)
    assert [level for _, level, _ in found] == [Level.ok] * 3, found  # rights.events, its own two

    stricter = settings.model_copy(update={"kafka_min_insync_replicas": 2})
    stricter = stricter.model_copy(update={"kafka_replication_factor": 2})
    found.clear()
    await _topics(RESTORATION, stricter, note)
    failed = [d for _, level, d in found if level is Level.fail]
    assert f"{topic_prefix}restoration.events: replication factor 1 (want 2), " in failed[0]
    assert "min.insync.replicas 1 (want 2)" in failed[0]
