"""What the inspector-assignments API reads and writes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name, Text

# 乌希根楚二号建筑用花岗岩矿 (专栏一 No. 6), ids illustrative
EXAMPLE = {
    "inspector": "inspector-batu",
    "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
    "patrol_draw_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    "note": "2026年第1批随机巡查",
}


class AssignmentCreate(BaseModel):
    inspector: Name = Field(
        min_length=1,
        max_length=200,
        description="The inspector's token subject (`sub`) 检查人员账号",
    )
    right_id: UUID = Field(description="The mine 矿业权")
    patrol_draw_id: UUID | None = Field(
        None, description="The random patrol 随机巡查 that drew the mine, when this carries it out"
    )
    note: Text | None = Field(None, max_length=500, description="备注")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class AssignmentFilters(BaseModel):
    inspector: str | None = None
    right_id: UUID | None = None
    open: bool | None = Field(None, description="true: not ended; false: ended")


class AssignmentPublic(BaseModel):
    id: UUID
    inspector: str
    right_id: UUID
    patrol_draw_id: UUID | None
    note: str | None
    assigned_by: str
    assigned_at: datetime
    ended_at: datetime | None
    ended_by: str | None
