"""What the land-balance API reads and writes."""

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from restoration_api.bodies import body_config


class LandBalanceSet(BaseModel):
    model_config = body_config({"occupied_ha": "1.5", "restored_ha": "1.5"})

    occupied_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)
    restored_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)


class LandBalancePublic(BaseModel):
    right_id: UUID
    mine_name: str
    year: int
    occupied_ha: Decimal = Field(description="Land newly occupied or damaged that year 占用.")
    restored_ha: Decimal = Field(description="Land restored that year 治理.")
    balanced: bool = Field(description="Dynamic balance 动态平衡: restored ≥ occupied.")
    restoration_rate: Decimal | None = Field(
        description="应治尽治率 (%): restored / occupied × 100; null when nothing was occupied."
    )


class LandBalanceYear(BaseModel):
    year: int
    mines: list[LandBalancePublic]
    occupied_ha: Decimal
    restored_ha: Decimal
    restoration_rate: Decimal | None
