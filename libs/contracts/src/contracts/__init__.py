"""The published language: every event type, its topic and its payload model."""

from contracts import greenmine, restoration, rights
from contracts.base import PERSONAL, EventPayload, EventRegistry, UnknownEventType, personal_fields
from contracts.deadline import Audience, Deadline, DeadlineAction

registry = EventRegistry()
registry.register(*rights.EVENTS, *restoration.EVENTS, *greenmine.EVENTS)

TOPICS = {
    "rights.events": "rights-api",
    "restoration.events": "restoration-api",
    "greenmine.events": "greenmine-api",
    "notifier.events": "notifier",
}

__all__ = [
    "PERSONAL",
    "TOPICS",
    "Audience",
    "Deadline",
    "DeadlineAction",
    "EventPayload",
    "EventRegistry",
    "UnknownEventType",
    "personal_fields",
    "registry",
]
