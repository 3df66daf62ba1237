"""A journal entry as a CloudEvent 1.0 in structured mode (``application/cloudevents+json``):
the attributes and the data in one JSON object. The same shape is delivered to subscribers and
listed by the feed, with the extension attribute ``cursor`` (the entry's position, for
``after=`` and replays)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from notifier.feed import cursor, privacy
from notifier.journal.models import ReceivedEvent

CONTENT_TYPE = "application/cloudevents+json"
EXAMPLE = {
    "specversion": "1.0",
    "id": "0f1c7a52-4c1e-4a8b-9d6f-2e7b3c9a5d10",
    "source": "/services/rights",
    "type": "rights.right.granted",
    "subject": "b2f4c1de-8a1e-4c55-9a3e-1f0f4b1f2a10",
    "time": "2026-12-01T02:30:00Z",
    "datacontenttype": "application/json",
    "cursor": cursor.encode(42),
    "data": {
        "right_id": "b2f4c1de-8a1e-4c55-9a3e-1f0f4b1f2a10",
        "licence_no": "C1500002009062120023456",
        "kind": "mining",
        "holder_id": "3f6b2a0e-6c1d-4f7a-9a51-2f3c9d8e1a06",
        "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
        "mineral": "construction_granite",
        "area_km2": "0.0386",
        "status": "producing",
        "licensing_level": "city",
        "valid_from": "2022-06-30",
        "valid_to": "2027-06-30",
        "granted_at": "2022-06-30T00:00:00Z",
    },
}


class CloudEventOut(BaseModel):
    """One domain event, CloudEvents 1.0 structured mode."""

    specversion: str = "1.0"
    id: str = Field(description="The event's id: a repeat carries the same one")
    source: str = Field(examples=["/services/rights"])
    type: str = Field(examples=["rights.right.granted"])
    subject: str | None = Field(None, description="The mining right id, when there is one")
    time: datetime
    datacontenttype: str = "application/json"
    traceparent: str | None = None
    cursor: str = Field(description="This event's position: pass it as `after` or `from`")
    data: dict[str, Any]

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


def structured(entry: ReceivedEvent, *, personal_data: bool) -> dict[str, Any]:
    """The entry as a structured-mode CloudEvent (JSON-ready), personal fields stripped unless
    ``personal_data``. Optional attributes without a value are left out, as the spec asks."""
    assert entry.id is not None
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(entry.event_id),
        "source": entry.source,
        "type": entry.type,
        "time": entry.occurred_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "cursor": cursor.encode(entry.id),
        "data": privacy.visible(entry.type, entry.data, personal_data=personal_data),
    }
    if entry.subject is not None:
        event["subject"] = entry.subject
    if entry.traceparent is not None:
        event["traceparent"] = entry.traceparent
    return event
