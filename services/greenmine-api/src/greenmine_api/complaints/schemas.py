from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text


class ComplaintCreate(BaseModel):
    listing_id: UUID
    content: Text = Field(min_length=5, max_length=2000, examples=["矿区扬尘严重，未落实洒水降尘"])
    contact: str | None = Field(None, max_length=100, description="Optional, never published")


class ComplaintReceipt(BaseModel):
    id: UUID
    status: str
    filed_at: datetime


class ComplaintPublic(ComplaintCreate):
    # as stored: a value written before names were checked still reads back (servicekit.text)
    content: str
    id: UUID
    status: str
    decision_note: str | None
    rectification_id: UUID | None
    filed_at: datetime
    decided_at: datetime | None


class ComplaintFilters(BaseModel):
    status: Literal["received", "substantiated", "unsubstantiated"] | None = None


class ComplaintDecision(BaseModel):
    substantiated: bool
    note: Text = Field(max_length=2000, examples=["经现场核实，举报属实，责令限期整改"])
