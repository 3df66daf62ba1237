"""The Kafka topics the services need, as a plan, and ``mineadmin topics apply`` to make a cluster
match it: a migration-like step, idempotent, run at deploy before the services start.

The plan: every event topic of the published language (``contracts.registry``) and every
consumer group's dead-letter topic (``<group>.dlq``), each with the ``kafka_*`` settings'
partitions, replication factor, ``min.insync.replicas``, retention and ``cleanup.policy=delete``.

Applying creates what is missing and sets the configs that differ. It refuses, naming the
topic, what would silently lose data or order: fewer partitions (Kafka cannot shrink a topic),
more partitions (a key would move to another partition and its events could overtake each
other), another replication factor (a replica reassignment, an operator's job) and a shorter
retention (unless ``allow_shrink``).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from contracts import registry

from servicekit.services import installed_services
from servicekit.settings import ServiceSettings

MANAGED_CONFIGS = ("min.insync.replicas", "retention.ms", "cleanup.policy")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class TopicState:
    """A topic as the cluster describes it."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]
    under_replicated: int = 0  # partitions whose in-sync replicas are fewer than their replicas


class Action(StrEnum):
    ok = "ok"
    create = "create"
    alter = "alter"
    refuse = "refuse"


@dataclass(frozen=True)
class Change:
    topic: str
    action: Action
    detail: str


def topic_plan(settings: ServiceSettings) -> list[TopicSpec]:
    """Every topic the installed services publish to or consume from, with its settings."""
    events = {settings.topic(model.topic) for model in registry}
    services = installed_services()
    dead_letters = {f"{settings.topic(n)}.dlq" for n, spec in services.items() if spec.handlers}

    def spec(name: str, retention_ms: int) -> TopicSpec:
        return TopicSpec(
            name,
            settings.kafka_topic_partitions,
            settings.kafka_replication_factor,
            {
                "min.insync.replicas": str(settings.kafka_min_insync_replicas),
                "retention.ms": str(retention_ms),
                "cleanup.policy": "delete",
            },
        )

    return [spec(t, settings.kafka_events_retention_ms) for t in sorted(events)] + [
        spec(t, settings.kafka_dlq_retention_ms) for t in sorted(dead_letters)
    ]


def compare(plan: TopicSpec, state: TopicState | None, *, allow_shrink: bool = False) -> Change:
    """What applying ``plan`` to a topic in ``state`` does (``None``: it does not exist)."""
    if state is None:
        return Change(
            plan.name,
            Action.create,
            f"{plan.partitions} partitions, replication factor {plan.replication_factor}, "
            + _configs_text(plan.configs),
        )
    refusals = []
    if state.partitions != plan.partitions:
        refusals.append(
            f"has {state.partitions} partitions, the plan {plan.partitions}: "
            + (
                "Kafka cannot remove partitions"
                if state.partitions > plan.partitions
                else "adding some would move keys and break the order per subject"
            )
        )
    if state.replication_factor != plan.replication_factor:
        refusals.append(
            f"replication factor {state.replication_factor}, the plan "
            f"{plan.replication_factor}: reassign its replicas (kafka-reassign-partitions)"
        )
    current, wanted = state.configs.get("retention.ms"), plan.configs.get("retention.ms")
    if not allow_shrink and _shorter(wanted, current):
        refusals.append(
            f"retention.ms {current} would shrink to {wanted} and delete records: "
            "apply with --allow-shrink if that is meant"
        )
    if refusals:
        return Change(plan.name, Action.refuse, "; ".join(refusals))
    differ = {k: v for k, v in plan.configs.items() if state.configs.get(k) != v}
    if differ:
        was = ", ".join(f"{k}={state.configs.get(k)}" for k in differ)
        return Change(plan.name, Action.alter, f"{_configs_text(differ)} (was {was})")
    return Change(plan.name, Action.ok, "as planned")


async def describe(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, TopicState]:
    """The named topics that exist, as the cluster describes them."""
    existing = sorted(set(await admin.list_topics()).intersection(names))
    if not existing:
        return {}
    described = await admin.describe_topics(existing)
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in existing]
    )
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            configs[resource["resource_name"]] = {
                entry["config_names"]: entry["config_value"]
                for entry in resource["config_entries"]
                if entry["config_names"] in MANAGED_CONFIGS
            }
    states = {}
    for topic in described:
        partitions = topic["partitions"]
        states[topic["topic"]] = TopicState(
            topic["topic"],
            len(partitions),
            min((len(p["replicas"]) for p in partitions), default=0),
            configs.get(topic["topic"], {}),
            sum(1 for p in partitions if len(p["isr"]) < len(p["replicas"])),
        )
    return states


async def plan_changes(
    settings: ServiceSettings, *, allow_shrink: bool = False, timeout_ms: int = 15000
) -> list[Change]:
    """What ``apply`` would do, without doing it."""
    plan = topic_plan(settings)
    async with kafka_admin(settings, timeout_ms) as admin:
        states = await describe(admin, [t.name for t in plan])
    return [compare(t, states.get(t.name), allow_shrink=allow_shrink) for t in plan]


async def apply(
    settings: ServiceSettings, *, allow_shrink: bool = False, timeout_ms: int = 15000
) -> list[Change]:
    """Create the missing topics and set the configs that differ; refused changes are left
    undone and returned (the caller fails on them)."""
    plan = {t.name: t for t in topic_plan(settings)}
    async with kafka_admin(settings, timeout_ms) as admin:
        states = await describe(admin, list(plan))
        changes = [compare(t, states.get(t.name), allow_shrink=allow_shrink) for t in plan.values()]
        create = [
            NewTopic(
                c.topic,
                plan[c.topic].partitions,
                plan[c.topic].replication_factor,
                topic_configs=plan[c.topic].configs,
            )
            for c in changes
            if c.action is Action.create
        ]
        if create:
            response = await admin.create_topics(create, timeout_ms=timeout_ms)
            _raise_errors(response.to_object().get("topic_errors", []), "creating")
        alter = [
            # AlterConfigs replaces a topic's dynamic configs: all managed ones go together
            ConfigResource(ConfigResourceType.TOPIC, c.topic, plan[c.topic].configs)
            for c in changes
            if c.action is Action.alter
        ]
        if alter:
            for response in await admin.alter_configs(alter):
                _raise_errors(response.to_object()["resources"], "altering")
    return changes


class TopicsError(RuntimeError):
    """The cluster refused a topic change."""


def _raise_errors(results: list[dict], doing: str) -> None:
    failed = [r for r in results if r.get("error_code")]
    if failed:
        raise TopicsError(
            f"{doing} topics failed: "
            + "; ".join(
                f"{r.get('topic') or r.get('resource_name')}: "
                f"{r.get('error_message') or r['error_code']}"
                for r in failed
            )
        )


@asynccontextmanager
async def kafka_admin(
    settings: ServiceSettings, timeout_ms: int
) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client for the cluster the settings name, closed on leaving the block."""
    client = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="mineadmin-topics",
        request_timeout_ms=timeout_ms,
    )
    await client.start()
    try:
        yield client
    finally:
        await client.close()


def _shorter(wanted: str | None, current: str | None) -> bool:
    if wanted is None or current is None:
        return False
    # -1 is "forever"
    as_ms = {v: (float("inf") if int(v) < 0 else int(v)) for v in (wanted, current)}
    return as_ms[wanted] < as_ms[current]


def _configs_text(configs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in configs.items())
