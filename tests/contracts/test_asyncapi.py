"""The AsyncAPI document: committed copy up to date, structurally sound, faithful to the models."""

import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Annotated, Any

import pytest
import yaml
from contracts import TOPICS, Deadline, EventPayload, EventRegistry, registry
from contracts.asyncapi import build, render
from pydantic import BaseModel, TypeAdapter

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "asyncapi.yaml"
EVENTS = list(registry)


# --- helpers ---------------------------------------------------------------------------------


def walk(node: Any, path: str = "#"):
    """Every (json pointer, dict) in the document."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}/{i}")


def resolve(document: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"only local refs belong in the document, got {ref!r}"
    node: Any = document
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        else:
            assert isinstance(node, dict) and token in node, f"unresolvable $ref {ref!r}"
            node = node[token]
    return node


def dangling_refs(document: dict) -> list[str]:
    bad = []
    for path, node in walk(document):
        ref = node.get("$ref")
        if ref is None:
            continue
        try:
            resolve(document, ref)
        except (AssertionError, IndexError, ValueError):
            bad.append(f"{path}: {ref}")
    return bad


def nested_models(model: type[BaseModel], seen: set | None = None) -> set[type[BaseModel]]:
    """``model`` and every pydantic model reachable through its field annotations."""
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    stack = [f.annotation for f in model.model_fields.values()]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            nested_models(tp, seen)
        stack.extend(typing.get_args(tp))
    return seen


def model_schema(document: dict, model: type[BaseModel]) -> dict:
    """Where the document describes ``model``: its message payload, or a shared schema."""
    if issubclass(model, EventPayload) and model in EVENTS:
        schema = document["components"]["messages"][model.event_type]["payload"]
    else:
        schema = document["components"]["schemas"][model.__name__]
    while "$ref" in schema:
        schema = resolve(document, schema["$ref"])
    return schema


def example_registry() -> EventRegistry:
    """Events that share the Deadline model, so pydantic emits ``$defs`` for the generator."""

    class InspectionScheduled(EventPayload):
        event_type = "rights.inspection.scheduled"
        topic = "rights.events"
        summary = "An inspection was scheduled 已安排检查"
        deadline: Deadline

    class InspectionMoved(EventPayload):
        event_type = "rights.inspection.moved"
        topic = "rights.events"
        summary = "An inspection was moved 检查已改期"
        deadline: Deadline
        previous: Deadline | None = None

    example = EventRegistry()
    example.register(*EVENTS, InspectionScheduled, InspectionMoved)
    return example


# --- (a) the committed document --------------------------------------------------------------


def test_committed_document_is_current() -> None:
    assert COMMITTED.exists(), "docs/asyncapi.yaml is missing: run `make asyncapi`"
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/asyncapi.yaml is stale: run `make asyncapi` and commit the result"
    )


def test_module_entry_point_prints_the_same_document() -> None:
    """``python -m contracts.asyncapi`` (a fresh process, new hash seed) gives identical bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "ascii"}
    out = subprocess.run(
        [sys.executable, "-m", "contracts.asyncapi"], capture_output=True, check=True, env=env
    ).stdout
    assert out.decode("utf-8") == render()


def test_yaml_is_the_built_data() -> None:
    """Nothing is lost or retyped by the YAML rendering (e.g. ``'1.0'`` stays a string)."""
    assert yaml.safe_load(render()) == build()


# --- (b) structure ---------------------------------------------------------------------------


def test_asyncapi_version() -> None:
    assert build()["asyncapi"] == "3.0.0"


def test_one_channel_per_topic_addressed_by_its_name() -> None:
    channels = build()["channels"]
    assert {c["address"] for c in channels.values()} == set(TOPICS)


@pytest.mark.parametrize("model", EVENTS, ids=lambda m: m.event_type)
def test_each_event_is_in_exactly_the_channel_of_its_topic(model: type[EventPayload]) -> None:
    document = build()
    holders = [
        channel["address"]
        for channel in document["channels"].values()
        for message in channel["messages"].values()
        if resolve(document, message["$ref"])["name"] == model.event_type
    ]
    assert holders == [model.topic]
    message = document["components"]["messages"][model.event_type]
    assert message["headers"]["properties"]["ce_type"]["const"] == model.event_type
    assert message["contentType"] == "application/json"


def test_each_topic_has_a_send_operation_for_its_producer() -> None:
    document = build()
    sent = {}
    for operation in document["operations"].values():
        assert operation["action"] == "send"
        channel = resolve(document, operation["channel"]["$ref"])
        sent[channel["address"]] = [tag["name"] for tag in operation["tags"]]
        for ref in operation["messages"]:  # must point into the operation's own channel
            assert ref["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")
    assert sent == {topic: [service] for topic, service in TOPICS.items()}


def test_every_ref_resolves() -> None:
    document = build()
    assert not dangling_refs(document)
    assert not any("$defs" in node for _, node in walk(document))


def test_shared_defs_become_component_schemas() -> None:
    """Two payloads using Deadline: one shared schema, every $ref pointing at it resolves."""
    document = build(example_registry(), TOPICS)
    schemas = document["components"]["schemas"]
    assert {"Deadline", "Audience", "DeadlineAction"} <= set(schemas)
    assert not dangling_refs(document)
    assert not any("$defs" in node for _, node in walk(document))
    payload = document["components"]["messages"]["rights.inspection.scheduled"]["payload"]
    assert payload["properties"]["deadline"]["$ref"] == "#/components/schemas/Deadline"
    assert schemas["Deadline"]["properties"]["audience"]["$ref"] == "#/components/schemas/Audience"
    assert yaml.safe_load(render(example_registry(), TOPICS)) == document


def test_two_different_schemas_with_one_name_are_refused() -> None:
    def event(type_name: str, detail: type) -> type[EventPayload]:
        class Detail(BaseModel):
            value: detail  # type: ignore[valid-type]

        return type(
            type_name.replace(".", "_"),
            (EventPayload,),
            {
                "event_type": type_name,
                "topic": "rights.events",
                "summary": "x",
                "__annotations__": {"detail": Detail},
            },
        )

    clashing = EventRegistry()
    clashing.register(event("rights.a.done", int), event("rights.b.done", str))
    with pytest.raises(ValueError, match="two different schemas named 'Detail'"):
        build(clashing, TOPICS)


def test_an_event_on_an_unknown_topic_is_refused() -> None:
    class Stray(EventPayload):
        event_type = "mining.thing.happened"
        topic = "mining.events"
        summary = "x"

    stray = EventRegistry()
    stray.register(Stray)
    with pytest.raises(ValueError, match="not in TOPICS"):
        build(stray, TOPICS)


# --- (c) the payload schemas say what the models say -----------------------------------------


def documented_fields(models: set[type[BaseModel]]) -> list[tuple[type[BaseModel], str, Any]]:
    return [
        (model, name, field)
        for model in sorted(models, key=lambda m: (m.__module__, m.__name__))
        for name, field in model.model_fields.items()
        if field.description or field.examples
    ]


# The models the document describes, and every model of the published language (Deadline is
# exported for events to carry even before one does).
IN_DOCUMENT = documented_fields(set().union(*(nested_models(m) for m in EVENTS)))
WITH_EXAMPLES = [
    f
    for f in documented_fields(
        set().union(nested_models(Deadline), *(nested_models(m) for m in EVENTS))
    )
    if f[2].examples
]


def field_id(case: tuple[type[BaseModel], str, Any]) -> str:
    return f"{case[0].__name__}.{case[1]}"


@pytest.mark.parametrize(("model", "name", "field"), IN_DOCUMENT, ids=map(field_id, IN_DOCUMENT))
def test_field_docs_reach_the_document(model: type[BaseModel], name: str, field: Any) -> None:
    prop = model_schema(build(), model)["properties"][field.alias or name]
    assert prop.get("description") == field.description
    assert prop.get("examples") == field.examples


@pytest.mark.parametrize(
    ("model", "name", "field"), WITH_EXAMPLES, ids=map(field_id, WITH_EXAMPLES)
)
def test_published_examples_are_valid(model: type[BaseModel], name: str, field: Any) -> None:
    """An example in the contract that the model rejects would mislead every consumer."""
    tp = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    adapter = TypeAdapter(tp)
    for example in field.examples:
        adapter.validate_python(example)
