"""The event registry: one model per type, strict about what is required, lenient about extras."""

import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from contracts import TOPICS, EventPayload, EventRegistry, UnknownEventType, registry
from contracts.rights import HolderRegistered
from pydantic import ValidationError

TYPE_NAME = re.compile(r"^(rights|restoration|greenmine|notifier)\.[a-z_]+\.[a-z_]+(\.v\d+)?$")
EVENTS = list(registry)


def holder_registered() -> dict[str, object]:
    return {
        "holder_id": str(uuid4()),
        "credit_code": "91150000114122592P",
        "name": "中国石油天然气股份有限公司",
        "registered_at": datetime(2025, 3, 1, 8, 30, tzinfo=UTC).isoformat(),
    }


def test_a_type_registered_twice_is_refused() -> None:
    class Impostor(EventPayload):
        event_type = HolderRegistered.event_type
        topic = HolderRegistered.topic
        summary = "another model claiming the same type"

    fresh = EventRegistry()
    fresh.register(HolderRegistered)
    with pytest.raises(ValueError, match=re.escape("registered twice: rights.holder.registered")):
        fresh.register(Impostor)
    with pytest.raises(ValueError, match="registered twice"):
        fresh.register(HolderRegistered)
    assert fresh.model(HolderRegistered.event_type) is HolderRegistered


def test_parse_gives_the_registered_model() -> None:
    data = holder_registered()
    event = registry.parse("rights.holder.registered", data)
    assert type(event) is HolderRegistered
    assert str(event.holder_id) == data["holder_id"]


def test_parse_rejects_a_missing_required_field() -> None:
    data = holder_registered()
    del data["credit_code"]
    with pytest.raises(ValidationError) as caught:
        registry.parse("rights.holder.registered", data)
    assert [e["loc"] for e in caught.value.errors()] == [("credit_code",)]
    assert caught.value.errors()[0]["type"] == "missing"


def test_parse_ignores_unknown_fields() -> None:
    """A producer that added a field (additive, same type) must not break an older consumer."""
    data = holder_registered()
    event = registry.parse("rights.holder.registered", {**data, "legal_representative": "张三"})
    assert event == registry.parse("rights.holder.registered", data)
    assert "legal_representative" not in event.model_dump()


@pytest.mark.parametrize("model", EVENTS, ids=lambda m: m.event_type)
def test_no_payload_model_forbids_extra_fields(model: type[EventPayload]) -> None:
    assert model.model_config.get("extra") in (None, "ignore"), (
        f"{model.event_type} would reject a payload with a field added later"
    )


def test_an_unregistered_type_is_unknown() -> None:
    assert "rights.holder.vanished" not in registry
    with pytest.raises(UnknownEventType, match=re.escape("rights.holder.vanished")):
        registry.model("rights.holder.vanished")
    with pytest.raises(UnknownEventType):
        registry.parse("rights.holder.vanished", holder_registered())
    with pytest.raises(LookupError):  # callers may catch the broader class
        EventRegistry().model(HolderRegistered.event_type)


@pytest.mark.parametrize("model", EVENTS, ids=lambda m: m.event_type)
def test_type_name_and_topic_follow_the_convention(model: type[EventPayload]) -> None:
    assert TYPE_NAME.match(model.event_type), (
        f"{model.event_type!r} is not <service>.<aggregate>.<past-tense verb>[.vN]"
    )
    service = model.event_type.split(".", 1)[0]
    assert model.topic == f"{service}.events"
    assert model.topic in TOPICS
    assert model.summary.strip(), f"{model.event_type} needs a summary"


def test_topics_are_named_after_their_producers() -> None:
    for topic, producer in TOPICS.items():
        service = topic.removesuffix(".events")
        assert topic == f"{service}.events"
        assert producer in (service, f"{service}-api")


def test_iteration_is_sorted_by_type() -> None:
    types = [m.event_type for m in registry]
    assert types == sorted(types)
    assert all(t in registry for t in types)
