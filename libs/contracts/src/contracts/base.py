"""What every event payload is, and the registry from type name to payload model."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """One event type's ``data``. Subclasses set ``event_type``, ``topic`` and ``summary``.

    Unknown fields are ignored, so adding a field is not a breaking change; removing or
    retyping one is, and needs a new type name (``….v2``).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    summary: ClassVar[str]


# Marks a payload field as personal data (a contact person, a phone number, an e-mail address,
# an ID number): ``Field(..., json_schema_extra=PERSONAL)``. The schema carries it as
# ``x-personal: true``; ``personal_fields`` reads it, and whoever hands events to systems outside
# the bureau strips these fields for callers not entitled to them.
PERSONAL = {"x-personal": True}


def personal_fields(model: type[EventPayload]) -> frozenset[str]:
    """The names of ``model``'s fields marked ``PERSONAL``."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("x-personal")
    )


class UnknownEventType(LookupError):
    pass


class EventRegistry:
    """Type name → payload model, filled explicitly; never guessed from a string."""

    def __init__(self) -> None:
        self._types: dict[str, type[EventPayload]] = {}

    def register(self, *models: type[EventPayload]) -> None:
        for model in models:
            if model.event_type in self._types:
                raise ValueError(f"event type registered twice: {model.event_type}")
            self._types[model.event_type] = model

    def model(self, event_type: str) -> type[EventPayload]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def parse(self, event_type: str, data: object) -> EventPayload:
        return self.model(event_type).model_validate(data)

    def __iter__(self):
        return iter(sorted(self._types.values(), key=lambda m: m.event_type))

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._types
