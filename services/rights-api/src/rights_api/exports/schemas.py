"""What an export is asked for: the coordinate reference system of the file."""

from enum import StrEnum

from pydantic import BaseModel, Field


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


GPKG = "application/geopackage+sqlite3"
ZIP = "application/zip"
