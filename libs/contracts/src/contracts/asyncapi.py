"""The AsyncAPI 3.0.0 document of every event, built from the registry (nothing hand-kept).

``python -m contracts.asyncapi`` prints it as YAML; ``make asyncapi`` writes it to
``docs/asyncapi.yaml``, and a test fails when the committed file is stale.

Payload schemas are pydantic's JSON schemas (validation mode: what consumers accept). Pydantic
puts nested models and enums under a local ``$defs`` and points at them with ``#/$defs/Name``;
here every ``$defs`` entry moves to ``components.schemas`` (one namespace for the whole
document) and every such ``$ref`` is rewritten to ``#/components/schemas/Name``. Two different
schemas claiming one name is an error, never a silent overwrite.
"""

import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import yaml

from contracts.base import EventPayload, EventRegistry

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SERVER = "kafka"
PYDANTIC_DEFS = "#/$defs/"
SCHEMAS = "#/components/schemas/"

TITLE = "mineadmin events 矿产资源管理事件"
DESCRIPTION = """\
Every event the mineadmin services ({services}) publish on Kafka. Generated from the \
event registry in `libs/contracts` (`python -m contracts.asyncapi`); do not edit by hand.

## Envelope
CloudEvents 1.0 in Kafka **binary content mode**. The context attributes travel as headers \
(UTF-8 strings): `ce_specversion` (`1.0`), `ce_id` (UUID), `ce_source` \
(`/services/<producing service>`), `ce_type` (the event type), `ce_time` (RFC 3339, UTC), \
`ce_subject` (the mining right id, when there is one) and `ce_traceparent` (W3C Trace Context, \
when the producer was traced), plus `content-type: application/json`. The message value is \
the event data: the JSON payload described by each message, encoded as UTF-8.

## Keys and ordering
The message key is the mining right id (the same value as `ce_subject`) or, for an event \
about no particular mine, the id of its aggregate. Kafka keeps order only within a \
partition and one key always maps to one partition, so the events about one mine arrive \
in the order they were committed (each service relays its outbox in order). There is no \
order across keys or across topics.

## Delivery
At least once: a consumer may see an event twice and drops the repeat by `ce_id`. Each \
service consumes with one consumer group named after its short name ({groups}).

## Versioning
Type names are `<service>.<aggregate>.<past-tense verb>`. Adding a field keeps the type \
(consumers ignore fields they do not know); removing or retyping one is a new type \
(`….v2`).

## Dead letters
A record a consumer group cannot handle goes to the topic `<group>.dlq` \
(e.g. `notifier.dlq`) with its key, value and headers unchanged plus the headers \
`dlq_consumer` (the group), `dlq_error`, `dlq_topic`, `dlq_partition` and `dlq_offset` \
(where it was read). Dead-letter topics carry whatever record failed, so they are not \
listed as channels here.

A deployment may set `topic_prefix`, which is prepended to every topic and consumer \
group name above.
"""


def _contracts_version() -> str:
    try:
        return version("contracts")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0.0.0"


def _service_name(topic: str) -> str:
    """The producing service's short name: the event source and consumer group."""
    return topic.split(".", 1)[0]


def _rewrite_refs(node: Any, owner: str) -> Any:
    """A copy of ``node`` with pydantic's local ``#/$defs/`` refs pointing into the document."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if not value.startswith(PYDANTIC_DEFS):
                    raise ValueError(f"{owner}: cannot place $ref {value!r} in the document")
                value = SCHEMAS + value.removeprefix(PYDANTIC_DEFS)
            out[key] = _rewrite_refs(value, owner)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, owner) for item in node]
    return node


def _payload_schema(
    model: type[EventPayload], schemas: dict[str, Any], owners: dict[str, str]
) -> dict[str, Any]:
    """The model's schema with its ``$defs`` moved into ``schemas`` (checked for clashes)."""
    owner = f"{model.__module__}.{model.__qualname__}"
    schema = model.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    for name, definition in defs.items():
        definition = _rewrite_refs(definition, owner)
        if name in schemas and schemas[name] != definition:
            raise ValueError(
                f"two different schemas named {name!r} (from {owners[name]} and "
                f"{owner}): rename one of the models"
            )
        schemas[name] = definition
        owners.setdefault(name, owner)
    return _rewrite_refs(schema, owner)


def _headers_schema(model: type[EventPayload]) -> dict[str, Any]:
    source = f"/services/{_service_name(model.topic)}"
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes, Kafka binary content mode.",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
        "properties": {
            "ce_specversion": {
                "type": "string",
                "const": "1.0",
                "description": "CloudEvents specification version.",
            },
            "ce_id": {
                "type": "string",
                "format": "uuid",
                "description": "Unique per event; consumers drop a repeat by this id.",
            },
            "ce_source": {
                "type": "string",
                "const": source,
                "description": "The producing service.",
            },
            "ce_type": {
                "type": "string",
                "const": model.event_type,
                "description": "The event type; selects the payload schema.",
            },
            "ce_time": {
                "type": "string",
                "format": "date-time",
                "description": "When the event occurred (RFC 3339, UTC).",
            },
            "ce_subject": {
                "type": "string",
                "description": "The mining right id, when the event is about one.",
            },
            "ce_traceparent": {
                "type": "string",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description": "W3C Trace Context of the producing request, when traced.",
            },
            "content-type": {
                "type": "string",
                "const": "application/json",
                "description": "Media type of the message value.",
            },
        },
    }


def _message(model: type[EventPayload], payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": model.event_type,
        "title": model.__name__,
        "summary": model.summary,
        "contentType": "application/json",
        "headers": _headers_schema(model),
        "payload": payload,
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": "The mining right id (= ce_subject) or, for an event about "
                    "no particular mine, the aggregate id: events with one key "
                    "stay in order.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            },
        },
    }


def build(
    registry: EventRegistry | None = None, topics: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The AsyncAPI document as plain data (defaults: the contracts registry and TOPICS)."""
    if registry is None or topics is None:
        import contracts

        registry = contracts.registry if registry is None else registry
        topics = contracts.TOPICS if topics is None else topics

    models = sorted(registry, key=lambda m: m.event_type)
    for model in models:
        if model.topic not in topics:
            raise ValueError(f"{model.event_type}: topic {model.topic!r} is not in TOPICS")

    schemas: dict[str, Any] = {}
    owners: dict[str, str] = {}
    messages = {m.event_type: _message(m, _payload_schema(m, schemas, owners)) for m in models}

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in sorted(topics):
        service = topics[topic]
        types = [m.event_type for m in models if m.topic == topic]
        channels[topic] = {
            "address": topic,
            "title": topic,
            "description": f"Events published by {service}, keyed by mining right id "
            f"(or aggregate id). Consumer groups that read it are named "
            f"after the reading service.",
            "servers": [{"$ref": f"#/servers/{SERVER}"}],
            "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"send.{topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "title": f"{service} publishes on {topic}",
            "summary": f"{service} relays its outbox to {topic}, in commit order per key.",
            "tags": [{"name": service}],
            "messages": [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in types],
        }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": TITLE,
            "version": _contracts_version(),
            "description": DESCRIPTION.format(
                services=", ".join(topics[t] for t in sorted(topics)),
                groups=", ".join(f"`{_service_name(t)}`" for t in sorted(topics)),
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            SERVER: {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The deployment's Apache Kafka broker (deploy/docker-compose.yml); "
                "other environments set KAFKA_BOOTSTRAP_SERVERS.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {name: schemas[name] for name in sorted(schemas)},
            "messages": messages,
        },
    }


class _Dumper(yaml.SafeDumper):
    """Stable YAML: no anchors/aliases, multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def render(registry: EventRegistry | None = None, topics: Mapping[str, str] | None = None) -> str:
    """The document as YAML, exactly as ``docs/asyncapi.yaml`` holds it."""
    return yaml.dump(
        build(registry, topics),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
        default_flow_style=False,
    )


def main() -> None:
    sys.stdout.buffer.write(render().encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
