"""What the feed and the catalogue read and answer."""

from typing import Any

from pydantic import BaseModel, Field, field_validator

from notifier.feed.cloudevents import EXAMPLE, CloudEventOut
from notifier.feed.cursor import START

MAX_LIMIT = 500


def split_types(value: list[str] | None) -> list[str] | None:
    """``types=a,b`` and ``types=a&types=b`` alike."""
    if value is None:
        return None
    return [t.strip() for item in value for t in item.split(",") if t.strip()] or None


class FeedQuery(BaseModel):
    after: str | None = Field(
        None,
        description="A cursor from an earlier page's `next` or an event's `cursor`: the events "
        "after it. Absent: from the beginning of the log.",
        examples=[EXAMPLE["cursor"]],
    )
    types: list[str] | None = Field(
        None,
        description="Only these event types (comma-separated or repeated); see `GET /event-types`.",
        examples=[["rights.right.granted,rights.mine.closed"]],
    )
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Events per page")

    _types = field_validator("types")(classmethod(lambda cls, v: split_types(v)))


class EventPage(BaseModel):
    events: list[CloudEventOut] = Field(description="In log order (per subject: as they happened)")
    next: str = Field(
        description="Pass as `after` for the next page; equal to `after` when nothing is new",
        examples=[START],
    )


class EventType(BaseModel):
    type: str = Field(examples=["rights.right.granted"])
    topic: str = Field(examples=["rights.events"])
    source: str = Field(examples=["/services/rights"])
    summary: str
    personal_fields: list[str] = Field(
        description="Fields that are personal data: absent from what callers not entitled to "
        "them receive",
        examples=[["contact_name", "contact_phone", "contact_email"]],
    )
    json_schema: dict[str, Any] = Field(
        alias="schema", description="The JSON Schema of the event's `data`"
    )

    model_config = {"populate_by_name": True, "serialize_by_alias": True}
