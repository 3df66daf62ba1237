"""What `GET /sync` answers: one compact, versioned payload for an inspection app."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from rights_api.inspections.schemas import InspectionPublic

SCHEMA_VERSION = 1
TOKEN_PATTERN = r"^s1\.[0-9a-f]{40}$"


class SyncQuery(BaseModel):
    since: str | None = Field(
        None,
        pattern=TOKEN_PATTERN,
        description="The `token` of the app's last sync: only what changed since, with "
        "tombstones. Omit for everything 上次同步令牌",
        examples=["s1.5f2c0a9e7b3d41c8a6e0f9d2b7c4a1e3f8d6b2a0"],
    )
    inspector: str | None = Field(
        None,
        max_length=200,
        description="Bureau staff only: sync as this inspector (token subject) sees it, to "
        "support the app. An inspector may only name itself.",
    )


class SyncMine(BaseModel):
    id: UUID
    licence_no: str
    mine_name: str
    holder_id: UUID
    kind: str
    mineral: str
    status: str
    area_km2: Decimal
    valid_to: date
    boundary: dict[str, Any] | None = Field(description="GeoJSON, CGCS2000 lon/lat 矿区范围")
    boundary_illustrative: bool
    elevation_top_m: Decimal | None = Field(description="Licensed top elevation 开采标高上限, m")
    elevation_bottom_m: Decimal | None = Field(description="Licensed bottom 开采标高下限, m")
    patrol_draw_ids: list[UUID] = Field(
        description="The random patrols 随机巡查 the inspector carries out at this mine"
    )
    version: int


class SyncOrder(BaseModel):
    kind: Literal["compliance", "rectification"] = Field(
        description="`compliance`: a compliance order 限期整改 of this service; "
        "`rectification`: restoration-api's rectification order 治理恢复限期整改"
    )
    id: UUID
    right_id: UUID
    status: str = Field(examples=["open", "overdue", "ordered"])
    due_on: date = Field(description="Local date, Asia/Shanghai")
    violation: str | None = Field(None, examples=["out_of_bounds_mining"])
    description: str = Field(description="What must be put right 整改内容")
    inspection_id: UUID | None = None


class SyncInspection(InspectionPublic):
    pass


class Tombstone(BaseModel):
    kind: Literal["mine", "order", "inspection"]
    id: UUID


class SyncPayload(BaseModel):
    schema_version: int = Field(SCHEMA_VERSION, description="Bumped on a breaking change")
    token: str = Field(description="Send as `since` next time; opaque 同步令牌")
    since: str | None = Field(description="The token this answer is relative to; null: full")
    mines: list[SyncMine]
    orders: list[SyncOrder] = Field(description="Open and overdue orders of the mines")
    inspections: list[SyncInspection] = Field(description="Recent inspection records")
    removed: list[Tombstone] = Field(
        description="Objects the app holds that it must delete: gone, closed, or no longer "
        "the inspector's 删除标记"
    )
