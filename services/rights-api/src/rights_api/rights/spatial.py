"""Where a right lies: a boundary checked and stored on the right, the bounding-box prefilter,
and the live rights whose ground a shape shares."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from servicekit.errors import FieldError, validation_error
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.geometry import (
    Boundary,
    CornerError,
    GeometryFault,
    check_polygon,
    corners_to_polygon,
    geodesic_area_km2,
    interiors_overlap,
    to_shape,
)
from rights_api.plan.schemas import Violation
from rights_api.rights.models import CLOSED, Right
from rights_api.rights.schemas import BoundaryInput


def boundary_of(data: BoundaryInput) -> tuple[Boundary | None, list[GeometryFault]]:
    """Check the boundary sent as GeoJSON or as corners; (None, []) when none was sent."""
    polygon = data.boundary
    if data.corners is not None:
        try:
            polygon = corners_to_polygon(data.corners)
        except CornerError as exc:
            error = FieldError(field="body.corners.points", message=str(exc))
            raise validation_error([error]) from exc
    if polygon is None:
        return None, []
    return check_polygon(polygon)


def set_boundary(right: Right, boundary: Boundary | None) -> None:
    if boundary is None:
        right.boundary = None
        right.computed_area_km2 = None
        right.min_lon = right.min_lat = right.max_lon = right.max_lat = None
        return
    right.boundary = boundary.geojson
    right.computed_area_km2 = boundary.area_km2
    right.min_lon, right.min_lat, right.max_lon, right.max_lat = boundary.bbox


def fault_violation(fault: GeometryFault, clause: str) -> Violation:
    return Violation(
        code=fault.code,
        clause=clause,
        message_zh=fault.message_zh,
        message_en=fault.message_en,
        numbers=fault.numbers,
    )


def bbox_overlaps(bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
    """``rights_bbox`` index test: the right's bounding box meets ``bbox``."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return func.box(
        func.point(Right.min_lon, Right.min_lat), func.point(Right.max_lon, Right.max_lat)
    ).op("&&")(func.box(func.point(min_lon, min_lat), func.point(max_lon, max_lat)))


@dataclass(frozen=True)
class Overlap:
    right_id: UUID
    licence_no: str
    holder_id: UUID
    shared_km2: Decimal


async def live_overlaps(
    *, session: AsyncSession, shape: BaseGeometry, exclude: UUID | None = None
) -> list[Overlap]:
    """Live rights whose licensed area shares ground with ``shape``: candidates by bounding box
    in SQL (GiST index ``rights_bbox``), then the exact test with shapely."""
    query = select(Right.id, Right.licence_no, Right.holder_id, Right.boundary).where(
        bbox_overlaps(shape.bounds), Right.status.not_in([s.value for s in CLOSED])
    )
    if exclude is not None:
        query = query.where(Right.id != exclude)
    found = []
    for right_id, licence_no, holder_id, boundary in (await session.exec(query)).all():
        other = to_shape(boundary)
        if interiors_overlap(shape, other):
            shared = geodesic_area_km2(shape.intersection(other))
            found.append(Overlap(right_id, licence_no, holder_id, shared))
    return found
