"""What the works API reads and writes."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from servicekit.text import Name

from restoration_api.bodies import body_config
from restoration_api.boundaries import EXAMPLE, Boundary
from restoration_api.legacy_sites.schemas import MineOrSite
from restoration_api.money import Yuan

GRANITE_MINE = "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01"


class WorkKind(StrEnum):
    """The two halves of 环境治理与土地复垦工程 (第六章第二节)."""

    geological_environment = "geological_environment"  # 矿山地质环境治理
    land_reclamation = "land_reclamation"  # 土地复垦


class WorkCreate(MineOrSite):
    model_config = body_config(
        {
            "right_id": GRANITE_MINE,
            "kind": "geological_environment",
            "name": "乌希根楚二号 采场边坡削坡及覆土绿化",
            "area_ha": "1.2",
            "estimated_cost": "120000.00",
            "year": 2026,
            "boundary": EXAMPLE,
        }
    )

    code: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="The work's number; given one (RA-<year>-<8 hex>) when left out.",
    )
    kind: WorkKind | None = Field(
        None, description="geological_environment 矿山地质环境治理 or land_reclamation 土地复垦"
    )

    name: Name = Field(min_length=1, max_length=200)
    area_ha: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    estimated_cost: Yuan
    year: int = Field(ge=2000, le=2100)
    boundary: Boundary | None = Field(
        None, description="The treated area: GeoJSON Polygon/MultiPolygon, CGCS2000 lon/lat."
    )


class WorkBoundarySet(BaseModel):
    model_config = body_config({"boundary": EXAMPLE})

    boundary: Boundary | None = Field(description="null removes the boundary.")


class WorkPublic(BaseModel):
    id: UUID
    code: str
    kind: WorkKind | None
    right_id: UUID | None
    legacy_site_id: UUID | None
    name: str
    area_ha: Decimal
    estimated_cost: str
    spent: str = Field(description="Expenditures posted against this work, net of reversals.")
    year: int
    boundary: dict[str, Any] | None
    created_at: datetime
