"""The query of an items request, read by hand: OGC API Features answers a bad parameter with
400 (not FastAPI's 422) and refuses parameters it does not know, while the property filters are
the collection's own field names. Every refusal is an RFC 9457 problem naming the parameter."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from servicekit.errors import FieldError, ProblemError

from rights_api.layers.catalogue import LayerField
from rights_api.layers.query import FeatureQuery, Interval
from rights_api.ogc.crs import CRS84, CURIES, SUPPORTED, Crs, bbox_to_lonlat

DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
STANDARD = ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f")
FORMATS = ("json", "geojson", "application/json", "application/geo+json")


class BadParameter(ProblemError):
    status, slug, title = 400, "invalid-parameter", "Invalid query parameter"


def refuse(parameter: str, message: str) -> BadParameter:
    return BadParameter(
        f"{parameter}: {message}",
        errors=[FieldError(field=f"query.{parameter}", message=message).model_dump()],
    )


@dataclass(frozen=True)
class ItemsRequest:
    query: FeatureQuery
    crs: Crs
    limit: int  # as asked (clamped to the maximum), for the links


def _integer(raw: str, name: str, minimum: int) -> int:
    if not re.fullmatch(r"\d{1,9}", raw) or int(raw) < minimum:
        raise refuse(name, f"an integer ≥ {minimum}")
    return int(raw)


def crs_named(raw: str | None, name: str) -> Crs:
    if raw is None:
        return SUPPORTED[CRS84]
    given = raw.strip().strip("<>")
    found = SUPPORTED.get(CURIES.get(given, given))
    if found is None:
        raise refuse(name, f"one of {', '.join(SUPPORTED)}")
    return found


def check_format(params: dict[str, str]) -> None:
    if "f" in params and params["f"] not in FORMATS:
        raise refuse("f", "only json is served")


def _bbox(raw: str, crs: Crs) -> tuple[float, float, float, float]:
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:  # with heights: lower corner x, y, z, upper corner x, y, z
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or any(n != n or abs(n) == float("inf") for n in numbers):
        raise refuse("bbox", "4 (or 6) comma-separated numbers: lower corner, upper corner")
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise refuse("bbox", "the lower corner must not be above or beyond the upper corner")
    if crs.epsg in (None, "EPSG:4490"):
        lat = (numbers[1], numbers[3]) if crs.epsg is None else (numbers[0], numbers[2])
        if not all(-90 <= v <= 90 for v in lat):
            raise refuse("bbox", "latitudes lie between -90 and 90")
    return bbox_to_lonlat(numbers, crs)


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _instant(raw: str, end: bool) -> datetime | None:
    if raw in ("..", ""):
        return None
    try:
        if DAY.fullmatch(raw):
            day = date.fromisoformat(raw)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise refuse("datetime", "an RFC 3339 date-time or date, or an interval a/b") from None
    if moment.tzinfo is None:
        raise refuse("datetime", "a date-time needs its offset (Z or +08:00)")
    return moment


def _interval(raw: str) -> Interval:
    if "/" not in raw:
        if raw == "..":
            raise refuse("datetime", "'..' is only an open end of an interval")
        return Interval(_instant(raw, False), _instant(raw, True))
    first, _, last = raw.partition("/")
    interval = Interval(_instant(first, False), _instant(last, True))
    if interval.start is None and interval.end is None:
        raise refuse("datetime", "at least one end of the interval is needed")
    if interval.start and interval.end and interval.start > interval.end:
        raise refuse("datetime", "the interval ends before it starts")
    return interval


def items_request(params: dict[str, str], filterable: tuple[LayerField, ...]) -> ItemsRequest:
    """The items query from the request's parameters; 400 naming the first bad one."""
    keys = {f.key for f in filterable}
    for name in params:
        if name not in STANDARD and name not in keys:
            raise refuse(
                name,
                "not a parameter of this collection: limit, offset, bbox, bbox-crs, crs, "
                f"datetime, or one of its properties ({', '.join(sorted(keys))})",
            )
    check_format(params)
    limit = min(_integer(params.get("limit", str(DEFAULT_LIMIT)), "limit", 1), MAX_LIMIT)
    offset = _integer(params.get("offset", "0"), "offset", 0)
    bbox_crs = crs_named(params.get("bbox-crs"), "bbox-crs")
    if "bbox-crs" in params and "bbox" not in params:
        raise refuse("bbox-crs", "names the CRS of bbox: send bbox with it")
    bbox = _bbox(params["bbox"], bbox_crs) if "bbox" in params else None
    interval = _interval(params["datetime"]) if "datetime" in params else None
    properties = {k: v for k, v in params.items() if k in keys}
    query = FeatureQuery(bbox, interval, properties, limit, offset)
    return ItemsRequest(query, crs_named(params.get("crs"), "crs"), limit)
