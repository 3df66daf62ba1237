"""Reading a layer: what a feature is, and the query over features (bbox, time, properties,
limit and offset), applied to features held in memory."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from shapely.geometry import box, shape

Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (CGCS2000)


@dataclass(frozen=True)
class Feature:
    """One feature of a layer: its id, GeoJSON geometry (CGCS2000 longitude/latitude), every
    property the catalogue names, its time span, and the holder owning it (rights only)."""

    id: str
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    start: date | None = None
    end: date | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Interval:
    """A datetime filter: an instant (start == end) or an interval, either end open."""

    start: datetime | None
    end: datetime | None

    def meets(self, first: date | None, last: date | None) -> bool:
        """Whether a feature whose time runs over the days ``first``..``last`` (UTC days; an
        open end runs on) meets this interval. A feature with no time meets none."""
        if first is None and last is None:
            return False
        begins = _day_start(first) if first is not None else None
        ends = _day_end(last) if last is not None else None
        if self.end is not None and begins is not None and begins > self.end:
            return False
        return not (self.start is not None and ends is not None and ends < self.start)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=UTC)


@dataclass(frozen=True)
class FeatureQuery:
    bbox: Bbox | None = None
    interval: Interval | None = None
    properties: dict[str, str] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class FeaturePage:
    features: list[Feature]
    matched: int


def same_value(value: Any, wanted: str) -> bool:
    """A property filter's text against a property's value: equal as text, as numbers for
    numbers, and a comma-separated list property matches one of its items."""
    if value is None:
        return False
    if isinstance(value, bool):
        return wanted.lower() == str(value).lower()
    if isinstance(value, (int, float)):
        try:
            return float(wanted) == float(value)
        except ValueError:
            return False
    text = str(value)
    return text == wanted or wanted in text.split(",")


def intersects(geometry: dict[str, Any] | None, bbox: Bbox) -> bool:
    return geometry is not None and shape(geometry).intersects(box(*bbox))


def matches(feature: Feature, query: FeatureQuery) -> bool:
    if query.bbox is not None and not intersects(feature.geometry, query.bbox):
        return False
    if query.interval is not None and not query.interval.meets(feature.start, feature.end):
        return False
    return all(
        same_value(feature.properties.get(key), wanted) for key, wanted in query.properties.items()
    )


def page(features: list[Feature], query: FeatureQuery) -> FeaturePage:
    """The features matching ``query``, counted, then the page ``offset``..``offset + limit``."""
    matched = [f for f in features if matches(f, query)]
    return FeaturePage(matched[query.offset : query.offset + query.limit], len(matched))
