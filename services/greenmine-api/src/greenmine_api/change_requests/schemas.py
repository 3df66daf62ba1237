from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name, Text


class ListedInfo(BaseModel):
    """The fields a change request may change; the holder never changes (not transferable)."""

    model_config = {"extra": "forbid"}

    mine_name: Name | None = Field(None, max_length=200)
    holder_name: Name | None = Field(
        None, max_length=200, description="A renamed holder, same credit code"
    )
    address: Name | None = Field(None, max_length=300)
    contact_phone: str | None = Field(None, max_length=40, examples=["0479-7519999"])


class ChangeRequestCreate(BaseModel):
    changes: ListedInfo
    reason: Text = Field(max_length=1000, examples=["企业名称变更，统一社会信用代码不变"])


class ChangeRequestPublic(BaseModel):
    id: UUID
    listing_id: UUID
    holder_id: UUID
    changes: dict[str, Any]
    reason: str
    status: str
    decision_note: str | None
    filed_at: datetime
    decided_at: datetime | None


class Decision(BaseModel):
    approve: bool
    note: Text | None = Field(None, max_length=1000)
