"""What the event subscriptions API reads and writes."""

from datetime import datetime
from uuid import UUID

from contracts import registry
from contracts.mining import Mineral
from pydantic import BaseModel, ConfigDict, Field, field_validator

from notifier.event_subscriptions.models import DeliveryStatus
from notifier.feed.cursor import START

# the natural-resources bureau's big-data platform of the league (a partner system), hearing of
# granted rights and closed mines of 二连浩特市乌希根楚二号建筑用花岗岩矿's holder
EXAMPLE = {
    "url": "https://dsj.xlgl.example.gov.cn/hooks/mineadmin",
    "types": ["rights.right.granted", "rights.mine.closed"],
    "filter": {
        "holder_id": "3f6b2a0e-6c1d-4f7a-9a51-2f3c9d8e1a06",
        "mineral": "construction_granite",
    },
}


class EventFilter(BaseModel):
    """Every filter set must agree, each where the event carries its field (an event without a
    holder passes a holder filter)."""

    model_config = ConfigDict(extra="forbid")

    holder_id: UUID | None = Field(
        None, description="The rights holder 矿业权人 (as holder, seller or buyer)"
    )
    right_id: UUID | None = Field(None, description="The mining right 矿业权 (the mine)")
    mineral: Mineral | None = Field(None, description="The mineral 矿种")
    zone: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The plan's zone 规划分区",
        examples=["SCJ001"],
    )


class EventSubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    url: str = Field(max_length=2000, description="Your endpoint (http or https, a public address)")
    types: list[str] = Field(
        min_length=1, max_length=200, description="Event types, from `GET /event-types`"
    )
    filter: EventFilter = Field(default_factory=EventFilter)

    @field_validator("types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in registry]
        if unknown:
            raise ValueError(f"unknown event types {unknown}; see GET /event-types")
        return list(dict.fromkeys(value))


class EventSubscriptionPublic(BaseModel):
    id: UUID
    url: str
    types: list[str]
    filter: EventFilter
    personal_data: bool = Field(
        description="Whether its events keep personal fields (made by bureau staff)"
    )
    active: bool
    disabled_reason: str | None
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row) -> "EventSubscriptionPublic":
        return cls(
            **{name: getattr(row, name) for name in cls.model_fields if name != "filter"},
            filter=EventFilter(**{name: getattr(row, name) for name in EventFilter.model_fields}),
        )


class EventSubscriptionCreated(EventSubscriptionPublic):
    secret: str = Field(
        description="Signing secret (Standard Webhooks, `whsec_…`): shown only in this answer"
    )


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(
        alias="from",
        description="A cursor: every matching event after it is delivered again, in order "
        f"(`{START}`: from the beginning)",
        examples=[START],
    )


class ReplayQueued(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    queued: int = Field(description="Events queued for delivery again")


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cursor: str
    subject: str | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


class DeliveryFilter(BaseModel):
    status: DeliveryStatus | None = None
