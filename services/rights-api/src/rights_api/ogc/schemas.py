"""OGC API Features documents: links, the landing page, conformance and collections."""

from pydantic import BaseModel, Field

from rights_api.ogc.crs import CRS84

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
CONFORMANCE = [CORE, GEOJSON, OAS30, CRS]
GEO_JSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    title: str = Field(examples=["二连浩特市矿产资源规划数据库 Erenhot mineral-resources planning"])
    description: str
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str] = Field(examples=[CONFORMANCE])


class SpatialExtent(BaseModel):
    bbox: list[list[float]] = Field(examples=[[[111.352778, 42.95, 112.469444, 43.788889]]])
    crs: str = CRS84


class TemporalExtent(BaseModel):
    interval: list[list[str | None]] = Field(examples=[[["2021-01-01", "2025-12-31"]]])
    trs: str = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


class Extent(BaseModel):
    spatial: SpatialExtent
    temporal: TemporalExtent


class Collection(BaseModel):
    id: str = Field(examples=["zones"])
    title: str = Field(examples=["集中开采区 Concentrated mining zones"])
    description: str
    links: list[Link]
    extent: Extent
    itemType: str = "feature"
    crs: list[str]
    storageCrs: str


class Collections(BaseModel):
    links: list[Link]
    collections: list[Collection]
