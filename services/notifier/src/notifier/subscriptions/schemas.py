"""What the subscriptions API reads and writes."""

import re
from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, Field, field_validator, model_validator
from servicekit.text import Name

from notifier.subscriptions.models import Channel, Language

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# 二连浩特市先锋水泥制品有限公司 (专栏一 No. 6), its own safety officer
EXAMPLE = {
    "name": "先锋水泥制品 安全生产负责人",
    "channel": "email",
    "holder_id": "3f6b2a0e-6c1d-4f7a-9a51-2f3c9d8e1a06",
    "email": "anquan@xianfeng-erenhot.example.cn",
    "kinds": ["annual_mining_plan", "licence_expiry"],
}


def _email(value: str | None) -> str | None:
    if value is not None and not EMAIL.fullmatch(value):
        raise ValueError("not an e-mail address")
    return value


class SubscriptionCreate(BaseModel):
    name: Name = Field(max_length=200, description="Who this is 接收人", examples=[EXAMPLE["name"]])
    channel: Channel = Field(description="email, webhook or inbox 渠道")
    holder_id: str | None = Field(
        None, max_length=100, description="Deadlines of this rights holder 矿业权人"
    )
    role: str | None = Field(None, max_length=50, description="Deadlines addressed to a role")
    org_id: str | None = Field(None, max_length=100, description="Deadlines of an organisation")
    kinds: list[str] | None = Field(
        None, description="Only these deadline kinds (all when absent)", examples=[EXAMPLE["kinds"]]
    )
    email: str | None = Field(None, max_length=320, description="For channel email")
    inbox_user: str | None = Field(
        None,
        max_length=200,
        description="For channel inbox: the user's token subject (yours when absent)",
    )
    url: str | None = Field(
        None, max_length=2000, description="For channel webhook: the endpoint (http or https)"
    )
    language: Language = Field(Language.zh, description="Message language 语言")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    _valid_email = field_validator("email")(classmethod(lambda cls, v: _email(v)))

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or any(not k or len(k) > 100 for k in value)):
            raise ValueError("list one or more kinds of at most 100 characters, or leave it out")
        return value

    @model_validator(mode="after")
    def _destination_matches_channel(self) -> Self:
        needed = {Channel.email: "email", Channel.webhook: "url", Channel.inbox: None}[self.channel]
        for name in ("email", "url"):
            if name == needed and getattr(self, name) is None:
                raise ValueError(f"channel {self.channel} needs {name}")
            if name != needed and getattr(self, name) is not None:
                raise ValueError(f"{name} does not belong to channel {self.channel}")
        if self.channel != Channel.inbox and self.inbox_user is not None:
            raise ValueError(f"inbox_user does not belong to channel {self.channel}")
        return self


class SubscriptionUpdate(BaseModel):
    name: Name | None = Field(None, max_length=200)
    kinds: list[str] | None = None
    email: str | None = Field(None, max_length=320)
    url: str | None = Field(None, max_length=2000)
    language: Language | None = None
    active: bool | None = Field(
        None, description="false pauses it; true re-enables one disabled after a 410"
    )

    _valid_email = field_validator("email")(classmethod(lambda cls, v: _email(v)))


class SubscriptionPublic(BaseModel):
    id: UUID
    name: str
    channel: Channel
    holder_id: str | None
    role: str | None
    org_id: str | None
    kinds: list[str] | None
    email: str | None
    inbox_user: str | None
    url: str | None
    language: Language
    active: bool
    disabled_reason: str | None
    created_by: str
    created_at: datetime
    version: int

    model_config = {"from_attributes": True}


class SubscriptionCreated(SubscriptionPublic):
    secret: str | None = Field(
        None,
        description="Webhook signing secret (Standard Webhooks, `whsec_…`). Shown only once, "
        "in this response.",
    )


class SubscriptionFilter(BaseModel):
    holder_id: str | None = None
    channel: Channel | None = None
