"""Between a corner file's parcels (Gauss-Krüger X/Y) and a GeoJSON boundary (CGCS2000
longitude/latitude), with geometry.py's transforms and checks; a fault names the line."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, shape

from rights_api.corners.format import CornerFile, FormatError, Parcel, Point, Ring
from rights_api.geometry import (
    BoundaryPolygon,
    CornerCrs,
    check_polygon,
    corner_fault,
    corners_to_lonlats,
    geodesic_area_km2,
    lonlats_to_corners,
)

HA_PER_KM2 = Decimal(100)
ZONE_PREFIX = 37_000_000.0


def polygons_of(boundary: dict[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons (rings of [lon, lat]) of a GeoJSON Polygon or MultiPolygon."""
    if boundary["type"] == "Polygon":
        return [boundary["coordinates"]]
    return list(boundary["coordinates"])


def _area_ha(rings: list[list[list[float]]]) -> Decimal:
    polygon = Polygon(rings[0], rings[1:])
    return (geodesic_area_km2(polygon) * HA_PER_KM2).quantize(Decimal("0.0001"))


def parcels_of(boundary: dict[str, Any], crs: CornerCrs, name: str, use: str) -> list[Parcel]:
    """One parcel per polygon; points J1, J2, … through its rings, each ring closed by its
    first point again."""
    polygons = polygons_of(boundary)
    parcels = []
    for index, rings in enumerate(polygons, start=1):
        numbered, written = 0, []
        for ring_no, ring in enumerate(rings, start=1):
            corners = ring[:-1] if ring[0] == ring[-1] else ring
            points = []
            for x, y in lonlats_to_corners(crs, corners):
                numbered += 1
                points.append(Point(f"J{numbered}", x, y))
            written.append(Ring(ring_no, [*points, points[0]]))
        label = name if len(polygons) == 1 else f"{name} 区块{index}"
        parcels.append(Parcel(str(index), label, f"{_area_ha(rings)}", use=use, rings=written))
    return parcels


@dataclass(frozen=True)
class ParsedBoundary:
    crs: CornerCrs
    geojson: dict[str, Any]
    area_km2: Decimal
    parcel_areas_ha: list[Decimal]


def _crs_of(point: Point) -> CornerCrs:
    # the 37 form carries the zone in front of Y: eight digits before the decimal point
    return CornerCrs.zone37 if point.y >= ZONE_PREFIX else CornerCrs.cm111


def boundary_of(corner_file: CornerFile) -> ParsedBoundary:
    """The GeoJSON of the file's parcels (a Polygon for one, a MultiPolygon for several), its
    Gauss-Krüger form read from the numbers, and its geodesic area."""
    first = corner_file.parcels[0].rings[0].points[0]
    crs = _crs_of(first)
    polygons, areas = [], []
    for parcel in corner_file.parcels:
        rings = []
        for ring in parcel.rings:
            for point in ring.points:
                if _crs_of(point) is not crs:
                    raise FormatError(
                        point.line,
                        f"Y {point.y} is in another form than line {first.line} ({crs.value}): "
                        "every Y carries the zone prefix 37, or none does",
                    )
                fault = corner_fault(crs, point.x, point.y)
                if fault is not None:
                    raise FormatError(point.line, f"point {point.number} {fault}")
            rings.append(corners_to_lonlats(crs, [(p.x, p.y) for p in ring.points]))
        checked, faults = check_polygon(BoundaryPolygon(type="Polygon", coordinates=rings))
        if checked is None:
            why = "; ".join(f.message_en for f in faults)
            raise FormatError(parcel.line, f"parcel {parcel.number} is not a valid area: {why}")
        polygons.append(rings)
        areas.append((checked.area_km2 * HA_PER_KM2).quantize(Decimal("0.0001")))
    if len(polygons) == 1:
        geojson: dict[str, Any] = {"type": "Polygon", "coordinates": polygons[0]}
    else:
        geojson = {"type": "MultiPolygon", "coordinates": polygons}
        whole = shape(geojson)
        if not isinstance(whole, MultiPolygon) or not whole.is_valid:
            raise FormatError(
                corner_file.parcels[1].line, "the parcels overlap: a boundary's parts are disjoint"
            )
    return ParsedBoundary(crs, geojson, geodesic_area_km2(shape(geojson)), areas)
