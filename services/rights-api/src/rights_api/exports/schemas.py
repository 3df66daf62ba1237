"""What an export is asked for: the coordinate reference system of the file."""

from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from rights_api.layers.catalogue import LAYERS


class ExportCrs(StrEnum):
    cgcs2000 = "EPSG:4490"  # CGCS2000 longitude/latitude
    gk_cm111 = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E
    gk_zone37 = "EPSG:4525"  # CGCS2000 / 3-degree Gauss-Kruger zone 37 (easting prefix 37)


class ExportParams(BaseModel):
    crs: ExportCrs = Field(
        ExportCrs.cgcs2000,
        description="CGCS2000 longitude/latitude (EPSG:4490, the default) or a Gauss-Krüger "
        "projection 高斯-克吕格投影: EPSG:4546 (3° CM 111°E) or EPSG:4525 (3° zone 37).",
    )
    layers: str | None = Field(
        None,
        description="Comma-separated layer ids to export (default: every layer of the "
        "catalogue, `GET /layers`).",
        examples=["zones,planned_blocks,prohibited_areas"],
    )

    @field_validator("layers")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is None:
            return value
        unknown = [name for name in value.split(",") if name not in LAYERS]
        if unknown or not value:
            raise ValueError(f"layer ids from {', '.join(LAYERS)}; unknown: {unknown}")
        return value

    def chosen(self) -> list[str]:
        """The layer ids to export, in the catalogue's order."""
        wanted = set(self.layers.split(",")) if self.layers else set(LAYERS)
        return [name for name in LAYERS if name in wanted]


GPKG = "application/geopackage+sqlite3"
ZIP = "application/zip"
