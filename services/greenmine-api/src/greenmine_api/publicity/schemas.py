from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Text


class PublicityPublic(BaseModel):
    id: UUID
    kind: str = Field(examples=["entry", "review", "relisting"])
    right_id: UUID
    holder_id: UUID
    mine_name: str = Field(examples=["二连浩特市乌希根楚二号建筑用花岗岩矿"])
    application_id: UUID | None
    rectification_id: UUID | None
    starts_on: date
    ends_on: date
    workdays: int
    status: str = Field(examples=["open", "passed", "failed"])
    closed_at: datetime | None


class PublicityFilters(BaseModel):
    status: Literal["open", "passed", "failed"] | None = None


class ObjectionCreate(BaseModel):
    content: Text = Field(min_length=5, max_length=2000, examples=["该矿排土场未按方案复绿"])
    contact: str | None = Field(None, max_length=100, examples=["13800000000"])


class ObjectionPublic(BaseModel):
    id: UUID
    publicity_id: UUID
    content: str
    contact: str | None
    status: str
    decision_note: str | None
    filed_at: datetime
    decided_at: datetime | None


class ObjectionReceipt(BaseModel):
    id: UUID
    status: str


class ObjectionDecision(BaseModel):
    upheld: bool
    note: Text = Field(max_length=2000, examples=["经现场核实，异议不成立"])


class PublicityRef(BaseModel):
    id: UUID
    ends_on: date
