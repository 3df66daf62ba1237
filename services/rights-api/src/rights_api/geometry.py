"""Boundaries: GeoJSON in CGCS2000 longitude/latitude, or corner coordinates 拐点坐标 in the
3-degree Gauss-Krüger projection, converted with pyproj; ring checks and the geodesic area."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

import pyproj
import shapely
from pydantic import BaseModel, Field
from shapely import make_valid
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# CGCS2000 uses the GRS80 ellipsoid parameters (a, 1/f); areas are computed on it.
GEOD = pyproj.Geod(a=6378137.0, rf=298.257222101)
CGCS2000 = "EPSG:4490"

# A licensed area has tens of corners; the bound keeps validity and area checks cheap.
MAX_CORNERS = 10_000
Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Position = Annotated[list[Coordinate], Field(min_length=2, max_length=3)]


class BoundaryPolygon(BaseModel):
    """A GeoJSON Polygon (RFC 7946) in CGCS2000 longitude/latitude, outer ring first."""

    type: Literal["Polygon"]
    coordinates: list[Annotated[list[Position], Field(min_length=1, max_length=MAX_CORNERS)]] = (
        Field(min_length=1, max_length=100)
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [111.80, 43.40],
                            [111.8026, 43.40],
                            [111.8026, 43.4017],
                            [111.80, 43.4017],
                            [111.80, 43.40],
                        ]
                    ],
                }
            ]
        }
    }


class CornerCrs(StrEnum):
    cm111 = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E, false easting 500 000
    zone37 = "EPSG:4525"  # CGCS2000 / 3-degree Gauss-Kruger zone 37: Y carries the prefix 37


class Corners(BaseModel):
    """Corner coordinates 拐点坐标 as surveyors write them: X is the northing, Y the easting
    (metres). The ring closes by itself; repeating the first corner at the end is allowed."""

    crs: CornerCrs
    points: list[Annotated[list[Coordinate], Field(min_length=2, max_length=2)]] = Field(
        min_length=3, max_length=MAX_CORNERS
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "crs": "EPSG:4546",
                    "points": [
                        [4806046.07, 564656.49],
                        [4806046.07, 564866.49],
                        [4806236.07, 564866.49],
                        [4806236.07, 564656.49],
                    ],
                }
            ]
        }
    }


@dataclass(frozen=True)
class GeometryFault:
    """A boundary that cannot be a licensed area (becomes an admission violation)."""

    code: str
    message_zh: str
    message_en: str
    numbers: dict[str, Any]


class CornerError(ValueError):
    """Corner coordinates that cannot be in the projection named (becomes a 422 field error)."""


@cache
def _to_cgcs2000(crs: str) -> pyproj.Transformer:
    # authority axis order: (X north, Y east) in, (lat, lon) out
    return pyproj.Transformer.from_crs(crs, CGCS2000)


@cache
def _from_cgcs2000(crs: str) -> pyproj.Transformer:
    # authority axis order: (lat, lon) in, (X north, Y east) out
    return pyproj.Transformer.from_crs(CGCS2000, crs)


# Gauss-Krüger coordinates anywhere near Erenhot (42.9-43.8 N, 111.3-112.5 E), generously
NORTHING_RANGE = (4_500_000.0, 5_200_000.0)
EASTING_RANGE = {
    CornerCrs.cm111: (200_000.0, 800_000.0),
    CornerCrs.zone37: (37_200_000.0, 37_800_000.0),
}


def corner_fault(crs: CornerCrs, x: float, y: float) -> str | None:
    """Why (x, y) cannot be a corner in ``crs`` near Erenhot; None when it can."""
    low, high = EASTING_RANGE[crs]
    if NORTHING_RANGE[0] <= x <= NORTHING_RANGE[1] and low <= y <= high:
        return None
    hint = "zone prefix 37 in front of Y" if crs is CornerCrs.zone37 else "no zone prefix"
    return (
        f"({x}, {y}) is not in {crs.value} near Erenhot: X is the northing "
        f"({NORTHING_RANGE[0]:.0f}-{NORTHING_RANGE[1]:.0f}), Y the easting "
        f"({low:.0f}-{high:.0f}, {hint})"
    )


def corner_to_lonlat(crs: CornerCrs, x: float, y: float) -> list[float]:
    """A corner (X north, Y east, metres) as CGCS2000 [lon, lat]."""
    lat, lon = _to_cgcs2000(crs.value).transform(x, y)
    return [round(lon, 9), round(lat, 9)]


def lonlat_to_corner(crs: CornerCrs, lon: float, lat: float) -> tuple[float, float]:
    """CGCS2000 lon/lat as a corner in ``crs``: (X north, Y east) in metres."""
    x, y = _from_cgcs2000(crs.value).transform(lat, lon)
    return x, y


def corners_to_lonlats(crs: CornerCrs, corners: list[tuple[float, float]]) -> list[list[float]]:
    """Many corners at once (one pyproj call: a ring of 10 000 corners in milliseconds)."""
    xs, ys = zip(*corners, strict=True)
    lats, lons = _to_cgcs2000(crs.value).transform(xs, ys)
    return [[round(lon, 9), round(lat, 9)] for lon, lat in zip(lons, lats, strict=True)]


def lonlats_to_corners(crs: CornerCrs, lonlats: list[list[float]]) -> list[tuple[float, float]]:
    """Many CGCS2000 [lon, lat] (a third value ignored) as (X north, Y east) at once."""
    lons, lats = [p[0] for p in lonlats], [p[1] for p in lonlats]
    xs, ys = _from_cgcs2000(crs.value).transform(lats, lons)
    return list(zip(xs, ys, strict=True))


def corners_to_polygon(corners: Corners) -> BoundaryPolygon:
    """Project corner coordinates to a closed CGCS2000 ring."""
    ring = []
    for index, (x, y) in enumerate(corners.points):
        fault = corner_fault(corners.crs, x, y)
        if fault is not None:
            raise CornerError(f"point {index} {fault}")
        ring.append(corner_to_lonlat(corners.crs, x, y))
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return BoundaryPolygon(type="Polygon", coordinates=[ring])


@dataclass(frozen=True)
class Boundary:
    """A checked boundary: its GeoJSON, its shape, and its geodesic area."""

    geojson: dict[str, Any]
    shape: Polygon
    area_km2: Decimal

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.shape.bounds  # min_lon, min_lat, max_lon, max_lat


def geodesic_area_km2(geometry: BaseGeometry) -> Decimal:
    # pyproj adds the rings' signed areas: a hole subtracts only when it turns against its
    # outer ring, which RFC 7946 asks for but corner files and many tools do not keep
    area_m2, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geometry))
    return Decimal(str(round(abs(area_m2) / 1e6, 6)))


def check_polygon(polygon: BoundaryPolygon) -> tuple[Boundary | None, list[GeometryFault]]:
    """Ring closure, enough corners, no self-intersection; the boundary when all hold."""
    faults = []
    for index, ring in enumerate(polygon.coordinates):
        if ring[0][:2] != ring[-1][:2]:
            faults.append(
                GeometryFault(
                    "ring_not_closed",
                    f"边界第{index + 1}个环未闭合：首点与末点不同",
                    f"ring {index} is not closed: its first and last positions differ",
                    {"ring": index, "first": ring[0], "last": ring[-1]},
                )
            )
        elif len(ring) < 4:
            faults.append(
                GeometryFault(
                    "ring_too_short",
                    f"边界第{index + 1}个环少于3个拐点",
                    f"ring {index} has fewer than 3 distinct corners",
                    {"ring": index, "positions": len(ring)},
                )
            )
    for index, ring in enumerate(polygon.coordinates):
        for lon, lat, *_ in ring:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                faults.append(
                    GeometryFault(
                        "not_longitude_latitude",
                        "边界坐标不是经纬度（CGCS2000），投影坐标请以拐点坐标 corners 提交",
                        "boundary positions are not longitude/latitude (CGCS2000); send "
                        "projected coordinates as corners",
                        {"ring": index, "position": [lon, lat]},
                    )
                )
                break
    if faults:
        return None, faults
    geometry = shape(polygon.model_dump())
    if not geometry.is_valid:
        why = explain_validity(geometry)
        return None, [
            GeometryFault(
                "self_intersection" if "intersection" in why.lower() else "invalid_geometry",
                f"边界自相交或无效：{why}",
                f"the boundary is not a valid polygon: {why}",
                {"reason": why},
            )
        ]
    return Boundary(polygon.model_dump(), geometry, geodesic_area_km2(geometry)), []


def area_fault(computed: Decimal, declared: Decimal, tolerance: Decimal) -> GeometryFault | None:
    """The declared licensed area must match the boundary's geodesic area within tolerance."""
    if declared <= 0:
        return GeometryFault(
            "area_mismatch",
            "申报面积必须大于0",
            "the declared area must be positive",
            {"declared_km2": str(declared)},
        )
    difference = abs(computed - declared) / declared
    if difference <= tolerance:
        return None
    return GeometryFault(
        "area_mismatch",
        f"申报矿区面积{declared}平方千米与边界计算面积{computed:.4f}平方千米相差"
        f"{difference:.2%}，超过{tolerance:.0%}",
        f"declared area {declared} km² differs from the boundary's geodesic area "
        f"{computed:.4f} km² by {difference:.2%}, more than {tolerance:.0%}",
        {
            "declared_km2": str(declared),
            "computed_km2": str(computed),
            "difference": f"{difference:.4f}",
            "tolerance": str(tolerance),
        },
    )


def to_shape(geojson: dict[str, Any]) -> BaseGeometry:
    geometry = shape(geojson)
    return geometry if geometry.is_valid else make_valid(geometry)


def interiors_overlap(a: BaseGeometry, b: BaseGeometry) -> bool:
    """True when the areas share interior points; boundaries that only touch do not overlap."""
    return a.relate_pattern(b, "T********")


def square(lon: float, lat: float, area_km2: float) -> dict[str, Any]:
    """A north-up square GeoJSON Polygon of ``area_km2`` (geodesic) centred on lon/lat: the
    shape of demo 示意 geometry, where the plan gives an area but no boundary."""
    import math

    side = math.sqrt(area_km2)
    dlat, dlon = side / 111.1 / 2, side / (111.32 * math.cos(math.radians(lat))) / 2
    for _ in range(3):  # rescale until the geodesic area matches
        ring = [
            [lon - dlon, lat - dlat],
            [lon + dlon, lat - dlat],
            [lon + dlon, lat + dlat],
            [lon - dlon, lat + dlat],
        ]
        actual = float(geodesic_area_km2(Polygon(ring)))
        factor = math.sqrt(area_km2 / actual)
        dlat, dlon = dlat * factor, dlon * factor
    ring = [[round(x, 7), round(y, 7)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
