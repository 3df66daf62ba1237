"""What the works API reads and writes."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from restoration_api.bodies import body_config
from restoration_api.legacy_sites.schemas import MineOrSite
from restoration_api.money import Yuan

GRANITE_MINE = "5b0c2a4e-3c1d-4e0f-9a51-6a1f3c2b9d01"


class WorkCreate(MineOrSite):
    model_config = body_config(
        {
            "right_id": GRANITE_MINE,
            "name": "乌希根楚二号 采场边坡削坡及覆土绿化",
            "area_ha": "1.2",
            "estimated_cost": "120000.00",
            "year": 2026,
        }
    )

    name: str = Field(min_length=1, max_length=200)
    area_ha: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    estimated_cost: Yuan
    year: int = Field(ge=2000, le=2100)


class WorkPublic(BaseModel):
    id: UUID
    right_id: UUID | None
    legacy_site_id: UUID | None
    name: str
    area_ha: Decimal
    estimated_cost: str
    spent: str = Field(description="Expenditures posted against this work, net of reversals.")
    year: int
    created_at: datetime
