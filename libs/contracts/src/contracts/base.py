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
