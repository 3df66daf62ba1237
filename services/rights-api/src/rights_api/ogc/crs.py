"""The coordinate reference systems the OGC API serves (Part 2, CRS by reference), each in the
axis order its authority defines: CRS84 longitude/latitude; EPSG:4490 latitude/longitude;
EPSG:4546 and EPSG:4525 northing/easting. Features are stored in CGCS2000 longitude/latitude;
CRS84 is served as those same numbers (the two frames differ by centimetres and no published
transformation links them)."""

from dataclasses import dataclass
from functools import cache
from typing import Any

import pyproj
import shapely
from shapely.geometry import mapping, shape

from rights_api.layers.query import Bbox

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
GK_CM111 = "http://www.opengis.net/def/crs/EPSG/0/4546"
GK_ZONE37 = "http://www.opengis.net/def/crs/EPSG/0/4525"


@dataclass(frozen=True)
class Crs:
    uri: str
    epsg: str | None  # None: CRS84
    north_first: bool  # the authority's first axis is the latitude or the northing
    decimals: int  # coordinates are rounded to this many decimals (about a millimetre)


SUPPORTED = {
    CRS84: Crs(CRS84, None, False, 9),
    CGCS2000: Crs(CGCS2000, "EPSG:4490", True, 9),
    GK_CM111: Crs(GK_CM111, "EPSG:4546", True, 3),
    GK_ZONE37: Crs(GK_ZONE37, "EPSG:4525", True, 3),
}
STORAGE = CGCS2000
# safe CURIEs (OGC API Features Part 2) naming the same systems
CURIES = {"[OGC:CRS84]": CRS84} | {
    f"[{crs.epsg}]": uri for uri, crs in SUPPORTED.items() if crs.epsg is not None
}


@cache
def _projection(epsg: str) -> pyproj.Transformer:
    # x/y order both ways: longitude, latitude -> easting, northing
    return pyproj.Transformer.from_crs("EPSG:4490", epsg, always_xy=True)


@cache
def _to_lonlat(epsg: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(epsg, "EPSG:4490", always_xy=True)


def geometry_in(geometry: dict[str, Any] | None, crs: Crs) -> dict[str, Any] | None:
    """A CGCS2000 longitude/latitude GeoJSON geometry in ``crs``, in its axis order."""
    if geometry is None or crs.epsg is None:
        return geometry
    geom = shape(geometry)
    if crs.epsg != "EPSG:4490":
        geom = shapely.transform(geom, _projection(crs.epsg).transform, interleaved=False)
    if crs.north_first:
        geom = shapely.transform(geom, lambda x, y: (y, x), interleaved=False)
    return mapping(shapely.transform(geom, lambda xy: xy.round(crs.decimals)))


def bbox_to_lonlat(values: list[float], crs: Crs) -> Bbox:
    """A bbox given in ``crs``'s axis order (lower corner, upper corner) as CGCS2000
    longitude/latitude (min lon, min lat, max lon, max lat)."""
    low, high = values[:2], values[2:]
    if crs.north_first:
        low, high = low[::-1], high[::-1]
    if crs.epsg is None or crs.epsg == "EPSG:4490":
        return (low[0], low[1], high[0], high[1])
    return _to_lonlat(crs.epsg).transform_bounds(low[0], low[1], high[0], high[1])
