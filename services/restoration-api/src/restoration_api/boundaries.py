"""Where a restored area lies: a GeoJSON Polygon or MultiPolygon in CGCS2000 (EPSG:4490)
longitude/latitude, checked as rights-api checks a right's boundary (closed rings, at least
three corners, a valid shape, near Erenhot), stored with its bounding box so a map's ``bbox``
finds it in SQL."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import Double, and_
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field as Column
from sqlmodel import SQLModel

CGCS2000 = "EPSG:4490"
# a generous box around Erenhot (43.65 N, 111.98 E); the city's land lies well inside it
LON_RANGE = (110.5, 113.5)
LAT_RANGE = (42.0, 45.0)
MAX_POSITIONS = 10_000

Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Position = Annotated[list[Coordinate], Field(min_length=2, max_length=3)]
Ring = Annotated[list[Position], Field(min_length=1, max_length=MAX_POSITIONS)]
PolygonRings = Annotated[list[Ring], Field(min_length=1, max_length=100)]

EXAMPLE = {
    "type": "Polygon",
    "coordinates": [
        [[111.95, 43.62], [111.962, 43.62], [111.962, 43.6287], [111.95, 43.6287], [111.95, 43.62]]
    ],
}


def near_erenhot(lon: float, lat: float) -> bool:
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


def _faults(polygons: list[list[list[list[float]]]]) -> list[str]:
    faults = []
    for p, rings in enumerate(polygons):
        for r, ring in enumerate(rings):
            where = f"polygon {p} ring {r}"
            if len(ring) < 4:
                faults.append(f"{where} has {len(ring)} positions; a ring needs 3 corners and "
                              "the first repeated at the end")  # fmt: skip
            elif ring[0][:2] != ring[-1][:2]:
                faults.append(f"{where} is not closed: its first and last positions differ")
            for lon, lat, *_ in ring:
                if not near_erenhot(lon, lat):
                    faults.append(
                        f"{where}: position [{lon}, {lat}] is not CGCS2000 longitude/latitude "
                        f"near Erenhot (lon {LON_RANGE[0]}-{LON_RANGE[1]}, "
                        f"lat {LAT_RANGE[0]}-{LAT_RANGE[1]})"
                    )
                    break
    return faults


class BoundaryShape(BaseModel):
    """A GeoJSON Polygon or MultiPolygon (RFC 7946) in CGCS2000 longitude/latitude, each
    polygon's outer ring first, its holes after."""

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [EXAMPLE]}}

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: PolygonRings | Annotated[list[PolygonRings], Field(min_length=1, max_length=100)]

    def polygons(self) -> list[Any]:
        return [self.coordinates] if self.type == "Polygon" else list(self.coordinates)


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def _checked(boundary: BoundaryShape) -> BoundaryShape:
    if _depth(boundary.coordinates) != (3 if boundary.type == "Polygon" else 4):
        raise ValueError(f"coordinates do not have the nesting of a {boundary.type}")
    faults = _faults(boundary.polygons())
    if not faults:
        geometry = shape(boundary.model_dump())
        if not geometry.is_valid:
            faults.append(f"not a valid {boundary.type}: {explain_validity(geometry)}")
    if faults:
        raise ValueError("; ".join(faults))
    return boundary


# a checked boundary: a bad one is a 422 naming the field that holds it
Boundary = Annotated[BoundaryShape, AfterValidator(_checked)]


class Bounded(SQLModel):
    """The columns a record with a boundary keeps: the GeoJSON, whether it is demo data 示意,
    and its bounding box."""

    boundary: dict[str, Any] | None = Column(None, sa_type=JSONB(none_as_null=True))
    boundary_illustrative: bool = Column(False, nullable=False)
    min_lon: float | None = Column(None, sa_type=Double)
    min_lat: float | None = Column(None, sa_type=Double)
    max_lon: float | None = Column(None, sa_type=Double)
    max_lat: float | None = Column(None, sa_type=Double)


def place(row: Bounded, boundary: BoundaryShape | None, *, illustrative: bool = False) -> None:
    """Sets (or with None clears) ``row``'s boundary and its bounding box."""
    if boundary is None:
        row.boundary = None
        row.boundary_illustrative = False
        row.min_lon = row.min_lat = row.max_lon = row.max_lat = None
        return
    row.boundary = boundary.model_dump()
    row.boundary_illustrative = illustrative
    row.min_lon, row.min_lat, row.max_lon, row.max_lat = shape(row.boundary).bounds


def meets(model: type[Bounded], box: tuple[float, float, float, float] | None) -> Any:
    """Rows with a boundary whose bounding box meets ``box`` (every bounded row without one)."""
    placed = model.boundary.is_not(None)  # type: ignore[union-attr]
    if box is None:
        return placed
    min_lon, min_lat, max_lon, max_lat = box
    return and_(
        placed,
        model.min_lon <= max_lon,  # type: ignore[operator]
        model.max_lon >= min_lon,  # type: ignore[operator]
        model.min_lat <= max_lat,  # type: ignore[operator]
        model.max_lat >= min_lat,  # type: ignore[operator]
    )
