"""What the rights API reads and writes."""

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from contracts.mining import (
    MINERAL_NAMES_ZH,
    LicensingLevel,
    Mineral,
    MiningMethod,
    RightKind,
    RightStatus,
    Scale,
)
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from servicekit.text import Name

from rights_api.geometry import BoundaryPolygon, Corners

# 23-character form: T (exploration) or C (mining) and 22 digits; legacy form: 18 characters.
# Positions beyond the leading letter are not interpreted.
LICENCE_23 = re.compile(r"[CT]\d{22}")
LICENCE_LEGACY = re.compile(r"[CT]?\d{17,18}")

XIANFENG = {
    "licence_no": "C1525012013061110000123",
    "kind": "mining",
    "mine_name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
    "mineral": "construction_granite",
    "area_km2": "0.0386",
    "scale": {"value": "6", "unit": "10k_m3_per_year"},
    "method": "open_pit",
    "status": "producing",
    "valid_from": "2019-01-01",
    "valid_to": "2029-12-31",
    "zone": "SCJ001",
    "licensing_level": "city",
    "elevation_top_m": "1010",
    "elevation_bottom_m": "960",
}

METRES = {"max_digits": 8, "decimal_places": 2}


ElevationTop = Annotated[
    Decimal | None,
    Field(**METRES, description="Licensed top elevation 开采标高上限, metres above sea level"),
]
ElevationBottom = Annotated[
    Decimal | None,
    Field(
        **METRES,
        validate_default=True,  # checked against the top even when left out
        description="Licensed bottom elevation 开采标高下限, metres",
    ),
]


def elevation_range(cls: type, bottom: Decimal | None, info: ValidationInfo) -> Decimal | None:
    """A licensed elevation range 开采标高 is both ends, the top above the bottom: the field
    validator of ``elevation_bottom_m`` in a model with ``elevation_top_m`` before it
    (``field_validator("elevation_bottom_m")(elevation_range)``)."""
    top = info.data.get("elevation_top_m")
    if (top is None) != (bottom is None):
        raise ValueError(
            "give both elevation_top_m and elevation_bottom_m (the licensed range), or neither"
        )
    if top is not None and bottom is not None and top <= bottom:
        raise ValueError(f"elevation_top_m ({top}) must be above elevation_bottom_m ({bottom})")
    return bottom


def licence_problem(value: str) -> str | None:
    if LICENCE_23.fullmatch(value):
        return None
    if len(value) == 18 and LICENCE_LEGACY.fullmatch(value):
        return None
    return (
        "a licence number is 23 characters (T or C and 22 digits) or the legacy 18-character "
        f"form; got {len(value)} characters"
    )


class BoundaryInput(BaseModel):
    """A boundary as GeoJSON (CGCS2000 lon/lat) or as corner coordinates 拐点坐标; one of them."""

    boundary: BoundaryPolygon | None = Field(None, description="GeoJSON Polygon, CGCS2000")
    corners: Corners | None = Field(None, description="拐点坐标, EPSG:4546 or EPSG:4525")

    @model_validator(mode="after")
    def _one_boundary(self) -> "BoundaryInput":
        if self.boundary is not None and self.corners is not None:
            raise ValueError("send either boundary (GeoJSON) or corners (拐点坐标), not both")
        return self


class RightCreate(BoundaryInput):
    """An existing right entered into the register (rights granted here come from
    applications)."""

    licence_no: str = Field(description="许可证号: 23-character or legacy 18-character form")
    kind: RightKind
    holder_id: UUID
    mine_name: Name = Field(max_length=200)
    mineral: Mineral
    area_km2: Decimal = Field(gt=0, max_digits=14, decimal_places=4)
    scale: Scale | None = None
    method: MiningMethod | None = None
    status: RightStatus = RightStatus.producing
    valid_from: date
    valid_to: date
    zone: str | None = Field(None, max_length=32)
    licensing_level: LicensingLevel = LicensingLevel.city
    boundary_illustrative: bool = Field(False, description="The boundary is demo data 示意")
    reference: bool = False
    elevation_top_m: ElevationTop = None
    elevation_bottom_m: ElevationBottom = None

    model_config = {"json_schema_extra": {"examples": [XIANFENG]}}

    @field_validator("licence_no", mode="before")
    @classmethod
    def _licence(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if problem := licence_problem(value):
                raise ValueError(problem)
        return value

    @field_validator("status")
    @classmethod
    def _not_ended(cls, value: RightStatus) -> RightStatus:
        if value in (RightStatus.revoked, RightStatus.expired):
            raise ValueError(
                "enter the right as it stood and end it with POST /rights/{id}/revoke (expiry: "
                "the right_expiry job), so that its closure path opens"
            )
        return value

    @model_validator(mode="after")
    def _validity(self) -> "RightCreate":
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    _elevation = field_validator("elevation_bottom_m")(elevation_range)


class RightPublic(BaseModel):
    id: UUID
    licence_no: str
    kind: RightKind
    holder_id: UUID
    mine_name: str
    mineral: Mineral
    mineral_name_zh: str
    area_km2: Decimal
    computed_area_km2: Decimal | None
    scale: Scale | None
    method: MiningMethod | None
    status: RightStatus
    valid_from: date
    valid_to: date
    zone: str | None
    licensing_level: LicensingLevel
    boundary: dict[str, Any] | None = Field(description="GeoJSON Polygon, CGCS2000")
    boundary_illustrative: bool
    reference: bool
    elevation_top_m: Decimal | None = Field(description="Licensed top elevation 开采标高上限, m")
    elevation_bottom_m: Decimal | None = Field(description="Licensed bottom elevation, m")
    version: int
    created_at: datetime
    updated_at: datetime

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **XIANFENG,
                    "id": "0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21",
                    "holder_id": "5a1d9c8e-2b7f-4e0a-8c61-1f0e2d3c4b5a",
                    "mineral_name_zh": "建筑用花岗岩",
                    "computed_area_km2": "0.038601",
                    "boundary_illustrative": True,
                    "reference": True,
                    "version": 1,
                }
            ]
        }
    }

    @classmethod
    def of(cls, right: Any) -> "RightPublic":
        return cls.of_columns({name: getattr(right, name) for name in PUBLIC_COLUMNS})

    @classmethod
    def of_columns(cls, columns: Mapping[str, Any]) -> "RightPublic":
        """From the ``PUBLIC_COLUMNS`` of a row of the rights table."""
        scale = (
            Scale(value=columns["scale_value"], unit=columns["scale_unit"])
            if columns["scale_value"] is not None and columns["scale_unit"]
            else None
        )
        return cls.model_validate(
            {
                **{name: columns[name] for name in cls.model_fields if name in columns},
                "mineral_name_zh": MINERAL_NAMES_ZH[Mineral(columns["mineral"])],
                "scale": scale,
            }
        )


# the columns of the rights table a RightPublic is made of
PUBLIC_COLUMNS = (
    *(name for name in RightPublic.model_fields if name not in ("mineral_name_zh", "scale")),
    "scale_value",
    "scale_unit",
)


class HistoryEntry(BaseModel):
    at: datetime
    actor: str = Field(description="Who: the token subject, or the event that caused it")
    action: str = Field(examples=["granted", "status_changed", "transferred", "renewed"])
    from_status: RightStatus | None
    to_status: RightStatus | None
    reason: str | None = Field(description="Why 原因")
    changes: dict[str, Any] | None


class RightFilters(BaseModel):
    """The register's list filters (query parameters)."""

    holder_id: UUID | None = Field(None, description="Holder 矿业权人")
    mineral: Mineral | None = Field(None, description="Mineral 矿种")
    status: RightStatus | None = Field(None, description="Status 状态")
    zone: str | None = Field(None, description="Zone code 集中开采区", examples=["SCJ001"])
    kind: RightKind | None = Field(None, description="exploration 探矿权 / mining 采矿权")
    expiring_before: date | None = Field(
        None, description="Validity ends before this day 有效期截止早于"
    )
    bbox: str | None = Field(
        None,
        description="min_lon,min_lat,max_lon,max_lat (CGCS2000): rights whose bounding box "
        "meets it",
        examples=["111.6,43.5,111.8,43.6"],
    )
