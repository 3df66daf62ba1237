"""What the map layers take: the bounding box a GIS client asks for."""

from pydantic import BaseModel, Field, field_validator


class MapQuery(BaseModel):
    """``bbox`` as OGC API Features and RFC 7946 write it."""

    bbox: str | None = Field(
        None,
        description="min_lon,min_lat,max_lon,max_lat (CGCS2000): features whose bounding box "
        "meets it",
        examples=["111.9,43.6,112.1,43.7"],
    )

    @field_validator("bbox")
    @classmethod
    def _four_numbers(cls, raw: str | None) -> str | None:
        if raw is not None:
            box(raw)
        return raw

    def box(self) -> tuple[float, float, float, float] | None:
        return None if self.bbox is None else box(self.bbox)


def box(raw: str) -> tuple[float, float, float, float]:
    message = "four numbers min_lon,min_lat,max_lon,max_lat with min ≤ max"
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in raw.split(","))
    except ValueError:
        raise ValueError(message) from None
    numbers = (min_lon, min_lat, max_lon, max_lat)
    if any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise ValueError(message)
    if not (min_lon <= max_lon and min_lat <= max_lat):
        raise ValueError(message)
    return numbers
