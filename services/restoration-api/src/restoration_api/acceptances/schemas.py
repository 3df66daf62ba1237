"""What the acceptance API reads and writes."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from restoration_api.bodies import body_config
from restoration_api.legacy_sites.schemas import MineOrSite
from restoration_api.works.schemas import GRANITE_MINE


class AcceptanceCreate(MineOrSite):
    model_config = body_config(
        {
            "right_id": GRANITE_MINE,
            "closure": True,
            "passed": True,
            "accepted_area_ha": "3.86",
            "inspected_on": "2027-06-18",
        },
        {
            "right_id": GRANITE_MINE,
            "passed": False,
            "accepted_area_ha": "0",
            "reasons": ["边坡未削至设计坡度", "覆土厚度不足30cm"],
            "inspected_on": "2027-05-10",
        },
    )

    work_id: UUID | None = None
    closure: bool = Field(
        False, description="This inspection decides the mine's open closure case (闭坑验收)."
    )
    passed: bool
    accepted_area_ha: Decimal = Field(ge=0, max_digits=12, decimal_places=4)
    reasons: list[str] = Field(default_factory=list, description="Why it failed (required then).")
    inspected_on: date

    @model_validator(mode="after")
    def _reasons_when_failed(self):
        if not self.passed and not self.reasons:
            raise ValueError("a failed acceptance lists its reasons")
        if self.closure and self.right_id is None:
            raise ValueError("a closure acceptance names the mine (right_id)")
        return self


class AcceptancePublic(BaseModel):
    id: UUID
    right_id: UUID | None
    legacy_site_id: UUID | None
    work_id: UUID | None
    closure_case_id: UUID | None
    passed: bool
    accepted_area_ha: Decimal
    reasons: list[str]
    inspected_on: date
    inspected_by: str
    created_at: datetime
