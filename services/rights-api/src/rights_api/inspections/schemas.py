"""What the inspections API reads and writes."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator
from servicekit.text import Name, Text

from rights_api.attachments.schemas import AttachmentPublic

OUT_OF_BOUNDS = "out_of_bounds_mining"  # 越界开采
OUT_OF_LEVEL = "out_of_level_mining"  # 超层越界开采 (第五章第三节 安全准入条件)

# 乌希根楚二号建筑用花岗岩矿 (专栏一 No. 6); coordinates illustrative
EXAMPLE = {
    "right_id": "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61",
    "inspected_at": "2026-06-12T02:30:00Z",
    "inspector_name": "巴特尔",
    "working_face": [
        {"lon": 111.9321, "lat": 43.6154, "accuracy_m": 4.5},
        {"lon": 111.9329, "lat": 43.6157, "accuracy_m": 5.0},
    ],
    "working_face_elevation_m": "972.5",
    "findings": "露天采场东帮作业面，现场有挖掘机2台作业，未见越界迹象。",
}


class GpsPoint(BaseModel):
    lon: float = Field(ge=-180, le=180, description="Longitude 经度, CGCS2000", examples=[111.9321])
    lat: float = Field(ge=-90, le=90, description="Latitude 纬度, CGCS2000", examples=[43.6154])
    accuracy_m: float | None = Field(None, ge=0, description="GPS accuracy in metres 定位精度")


class InspectionPut(BaseModel):
    """The record as the app sends it; sending it again (same body) changes nothing."""

    right_id: UUID = Field(description="The mining right inspected 被检查矿业权")
    inspected_at: AwareDatetime = Field(description="When, with a UTC offset 检查时间")
    inspector_name: Name | None = Field(None, max_length=100, description="Inspector 检查人员")
    working_face: list[GpsPoint] = Field(
        min_length=1, max_length=200, description="GPS points of the working face 采掘工作面定位"
    )
    findings: Text = Field(max_length=4000, description="What was found 检查情况")
    working_face_elevation_m: Decimal | None = Field(
        None,
        ge=-1000,
        le=9000,
        max_digits=8,
        decimal_places=2,
        description="Elevation of the working face, metres above sea level 工作面标高; compared "
        "with the right's licensed range 开采标高 (超层越界)",
    )
    patrol_draw_id: UUID | None = Field(
        None,
        description="The random patrol 随机巡查 this inspection reports on (`POST /patrol-draws`); "
        "the mine must be one the draw picked",
    )

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    @field_validator("inspected_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # one instant, one form: a replay writing the offset differently is the same record
        return value.astimezone(UTC)


class InspectionFilters(BaseModel):
    right_id: UUID | None = None
    out_of_bounds: bool | None = None
    out_of_level: bool | None = None
    patrol_draw_id: UUID | None = None


class InspectionPublic(BaseModel):
    id: UUID = Field(description="The app's client_uuid")
    right_id: UUID
    inspector: str = Field(description="Token subject of the inspector who recorded it")
    inspector_name: str | None
    inspected_at: datetime
    working_face: list[GpsPoint]
    findings: str
    out_of_bounds: bool | None = Field(
        description="A working-face point lies outside the licensed boundary 越界开采; "
        "null when the right has no boundary on record"
    )
    outside_points: list[int] | None = Field(
        description="Indexes of the working-face points outside the boundary"
    )
    working_face_elevation_m: Decimal | None = Field(description="Working-face elevation, m")
    out_of_level: bool | None = Field(
        description="The working face lies above the licensed top or below the licensed bottom "
        "elevation 超层越界开采; null when either is not on record"
    )
    patrol_draw_id: UUID | None = Field(
        None, description="The random patrol this inspection reports on 随机巡查"
    )
    violations: list[str] = Field(examples=[[OUT_OF_BOUNDS, OUT_OF_LEVEL]])
    photos: list[AttachmentPublic]
    received_at: datetime
    version: int = Field(
        1, description="Edits so far plus one; an edit names the version it was based on"
    )
    updated_at: datetime | None = Field(None, description="When it was last edited")


EDIT_EXAMPLE = {
    "base_version": 1,
    "findings": "露天采场东帮作业面，挖掘机2台作业；补记：东南角排土场边坡有裂缝，需复查。",
    "working_face_elevation_m": "971.0",
}


class InspectionEdit(BaseModel):
    """An edit from the app, made offline perhaps: the fields it changes and the version of the
    record it was made on. Fields left out are not changed."""

    base_version: int = Field(
        ge=1, description="The `version` of the record the edit was made on 编辑所依据的版本"
    )
    inspector_name: Name | None = Field(None, max_length=100, description="Inspector 检查人员")
    working_face: list[GpsPoint] | None = Field(
        None, min_length=1, max_length=200, description="GPS points of the working face"
    )
    findings: Text | None = Field(None, min_length=1, max_length=4000, description="检查情况")
    working_face_elevation_m: Decimal | None = Field(
        None, ge=-1000, le=9000, max_digits=8, decimal_places=2, description="工作面标高, m"
    )

    model_config = {"json_schema_extra": {"examples": [EDIT_EXAMPLE]}}

    @model_validator(mode="after")
    def _something_to_change(self) -> "InspectionEdit":
        for name in ("working_face", "findings"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        if not self.changes():
            raise ValueError(
                "the edit changes nothing: send at least one field besides base_version"
            )
        return self

    def changes(self) -> dict:
        """The fields the edit sets, as JSON values."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"base_version"})
