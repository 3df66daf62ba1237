"""What registering a legacy site takes, and the target every work and acceptance names:
a mine or a legacy site."""

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator
from servicekit.text import Name, Text

from restoration_api.bodies import body_config
from restoration_api.boundaries import EXAMPLE, Boundary
from restoration_api.rights import MineFilters


class MineOrSite(BaseModel):
    right_id: UUID | None = None
    legacy_site_id: UUID | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.right_id is None) == (self.legacy_site_id is None):
            raise ValueError("name exactly one of right_id (a mine) or legacy_site_id")
        return self


class MineOrSiteFilters(MineFilters):
    legacy_site_id: UUID | None = None


class LegacySiteFilters(BaseModel):
    edition: str | None = None


class LegacySiteCreate(BaseModel):
    model_config = body_config(
        {
            "code": "LS-G208-23KM",
            "name": "208国道23公里处废弃砂场",
            "edition": "2016-2020",
            "plan_clause": "第一章第二节四",
            "boundary": EXAMPLE,
        }
    )

    code: str = Field(min_length=1, max_length=40)
    name: Name = Field(min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=1000)
    edition: str = Field(pattern=r"^\d{4}-\d{4}$", examples=["2021-2025"])
    damaged_area_ha: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=4)
    fund_id: UUID | None = Field(None, description="The program fund that pays for it.")
    plan_clause: str | None = Field(None, max_length=100)
    boundary: Boundary | None = Field(
        None, description="The site's area 治理范围: GeoJSON (Multi)Polygon, CGCS2000 lon/lat."
    )
    boundary_illustrative: bool = Field(False, description="The boundary is demo data 示意.")


class BoundarySet(BaseModel):
    model_config = body_config({"boundary": EXAMPLE, "illustrative": False})

    boundary: Boundary | None = Field(description="null removes the boundary.")
    illustrative: bool = Field(False, description="Demo data 示意, not a surveyed boundary.")
