"""Subscriptions: who hears of which deadlines, and over which channel.

A subscription is one recipient on one channel: an e-mail address, a webhook endpoint, or a
user's in-app inbox. It matches a deadline's audience field by field: every selector it sets
(holder, role, organisation, kinds) must agree; one that sets none hears of every deadline
(a government system's feed)."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import ARRAY, Column, DateTime, Index, String
from sqlmodel import Field, SQLModel


class Channel(StrEnum):
    email = "email"
    webhook = "webhook"
    inbox = "inbox"


class Language(StrEnum):
    zh = "zh"
    en = "en"


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("subscriptions_holder", "holder_id"),
        Index("subscriptions_created_by", "created_by", "created_at"),
        Index("subscriptions_created_at", "created_at", "id"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(max_length=200)
    holder_id: str | None = Field(None, max_length=100)
    role: str | None = Field(None, max_length=50)
    org_id: str | None = Field(None, max_length=100)
    kinds: list[str] | None = Field(None, sa_column=Column(ARRAY(String(100)), nullable=True))
    channel: Channel = Field(sa_type=String(20))
    email: str | None = Field(None, max_length=320)
    inbox_user: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=2000)
    secret: str | None = Field(None, max_length=200)
    language: Language = Field(Language.zh, sa_type=String(5))
    active: bool = True
    disabled_reason: str | None = Field(None, max_length=500)
    created_by: str = Field(max_length=200)
    version: int = 1
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def destination(self) -> str:
        return destination(self.channel, self.email, self.url, self.inbox_user)


def destination(channel: str, email: str | None, url: str | None, inbox_user: str | None) -> str:
    """Where a subscription's alerts go: its address, endpoint URL or inbox user."""
    return {Channel.email: email, Channel.webhook: url}.get(channel, inbox_user) or ""
