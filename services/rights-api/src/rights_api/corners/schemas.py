"""What the corner-file routes answer and take."""

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from rights_api.geometry import CornerCrs

EXAMPLE_TEXT = (
    "[属性描述]\r\n格式版本号=1.01\r\n数据产生单位=二连浩特市自然资源局\r\n"
    "数据产生日期=2026-12-06\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n投影类型=高斯克吕格\r\n"
    "计量单位=米\r\n带号=37\r\n精度=0.01\r\n转换参数=,,,,,,\r\n[地块坐标]\r\n"
    "5,3.8593,1,二连浩特市乌希根楚二号建筑用花岗岩矿,面,,采矿权,,@\r\n"
    "J1,1,4835496.25,37564590.11\r\nJ2,1,4835496.25,37564857.70\r\n"
    "J3,1,4835352.01,37564857.70\r\nJ4,1,4835352.01,37564590.11\r\n"
    "J1,1,4835496.25,37564590.11\r\n"
)


class CornersQuery(BaseModel):
    crs: CornerCrs = Field(
        CornerCrs.zone37,
        description="EPSG:4525 (3-degree zone 37, Y with the zone prefix 37, the registration "
        "form) or EPSG:4546 (central meridian 111°E, Y without prefix)",
    )
    encoding: Literal["utf-8", "gb18030"] = Field(
        "utf-8", description="The text's encoding; gb18030 for tools that read GBK."
    )


class ParcelRead(BaseModel):
    number: str = Field(description="地块编号")
    name: str = Field(description="地块名称")
    declared_area_ha: Decimal | None = Field(description="地块面积 as the file gives it")
    area_ha: Decimal = Field(description="Geodesic area of the parcel on CGCS2000 (hectares)")
    rings: int = Field(description="1 outer ring plus its holes")
    points: int = Field(description="Point lines, closing repeats included (界址点数)")


class CornersParsed(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "crs": "EPSG:4525",
                    "header": {"坐标系": "2000国家大地坐标系", "带号": "37"},
                    "boundary": {"type": "Polygon", "coordinates": [[[111.8, 43.66]]]},
                    "area_km2": "0.038593",
                    "parcels": [
                        {
                            "number": "1",
                            "name": "二连浩特市乌希根楚二号建筑用花岗岩矿",
                            "declared_area_ha": "3.8593",
                            "area_ha": "3.8593",
                            "rings": 1,
                            "points": 5,
                        }
                    ],
                }
            ]
        }
    }

    crs: CornerCrs = Field(description="The Gauss-Krüger form the numbers are in")
    header: dict[str, str] = Field(description="[属性描述], as written")
    boundary: dict[str, Any] = Field(
        description="GeoJSON Polygon (one parcel) or MultiPolygon, CGCS2000 longitude/latitude"
    )
    area_km2: Decimal = Field(description="Geodesic area of the whole boundary (km²)")
    parcels: list[ParcelRead]
