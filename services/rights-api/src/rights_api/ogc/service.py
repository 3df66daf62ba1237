"""The OGC API Features documents of the layer catalogue: landing page, collections, items and
single features, with absolute links from the request's base URL."""

from typing import Any
from urllib.parse import urlencode

from servicekit import clock
from servicekit.auth import Principal
from servicekit.settings import ServiceSettings
from shapely.geometry import shape
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.layers import service as layers
from rights_api.layers.catalogue import LAYERS, Layer, Source
from rights_api.layers.query import Feature
from rights_api.ogc.crs import STORAGE, SUPPORTED, Crs, geometry_in
from rights_api.ogc.params import ItemsRequest
from rights_api.ogc.schemas import (
    GEO_JSON,
    OPENAPI_30,
    Collection,
    Collections,
    Extent,
    LandingPage,
    Link,
    SpatialExtent,
    TemporalExtent,
)
from rights_api.plan.models import PlanEdition

JSON = "application/json"


def landing(base: str) -> LandingPage:
    return LandingPage(
        title="二连浩特市矿产资源规划数据库 Erenhot mineral-resources planning database",
        description="The plan's zones, planned blocks and prohibited areas, the register of "
        "rights with their status, legacy sites and restoration areas as OGC API Features "
        "(Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS by reference: CRS84, CGCS2000 "
        "EPSG:4490, Gauss-Krüger EPSG:4546 and EPSG:4525). Without a token: what the public may "
        "see; with one, more.",
        links=[
            Link(href=base, rel="self", type=JSON, title="This document"),
            Link(href=f"{base}/api", rel="service-desc", type=OPENAPI_30, title="OpenAPI 3.0"),
            Link(
                href=base.removesuffix("/ogc") + "/docs",
                rel="service-doc",
                type="text/html",
                title="Swagger UI",
            ),
            Link(href=f"{base}/conformance", rel="conformance", type=JSON, title="Conformance"),
            Link(href=f"{base}/collections", rel="data", type=JSON, title="Collections"),
        ],
    )


def _extent(layer: Layer, edition: PlanEdition) -> Extent:
    bounds = shape(edition.content["city"]["boundary"]).bounds
    if layer.source is Source.plan:
        interval = [edition.period_start.isoformat(), edition.period_end.isoformat()]
    else:
        interval = [None, None]
    return Extent(
        spatial=SpatialExtent(bbox=[[round(b, 6) for b in bounds]]),
        temporal=TemporalExtent(interval=[interval]),
    )


def collection(base: str, layer: Layer, edition: PlanEdition) -> Collection:
    here = f"{base}/collections/{layer.id}"
    description = f"{layer.description} Time (datetime): {layer.temporal}."
    if layer.source is Source.plan:
        description += f" Plan edition {edition.code} (in force today)."
    return Collection(
        id=layer.id,
        title=f"{layer.title_zh} {layer.title_en}",
        description=description,
        links=[
            Link(href=here, rel="self", type=JSON, title=layer.title_en),
            Link(href=f"{here}/items", rel="items", type=GEO_JSON, title="Features"),
        ],
        extent=_extent(layer, edition),
        crs=list(SUPPORTED),
        storageCrs=STORAGE,
    )


def collections(base: str, edition: PlanEdition) -> Collections:
    return Collections(
        links=[Link(href=f"{base}/collections", rel="self", type=JSON, title="Collections")],
        collections=[collection(base, layer, edition) for layer in LAYERS.values()],
    )


def _feature(feature: Feature, crs: Crs) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": geometry_in(feature.geometry, crs),
        "properties": feature.properties,
    }


def _items_link(here: str, params: dict[str, str], rel: str, **changes: Any) -> Link:
    query = urlencode({**params, **{k: str(v) for k, v in changes.items()}})
    return Link(href=f"{here}?{query}" if query else here, rel=rel, type=GEO_JSON)


async def items(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    base: str,
    layer: Layer,
    edition: PlanEdition,
    caller: Principal | None,
    request: ItemsRequest,
    params: dict[str, str],
) -> dict[str, Any]:
    query = request.query
    found = await layers.read(
        session=session,
        settings=settings,
        layer=layer,
        edition=edition,
        caller=caller,
        query=query,
    )
    here = f"{base}/collections/{layer.id}/items"
    links = [
        _items_link(here, params, "self"),
        Link(href=f"{base}/collections/{layer.id}", rel="collection", type=JSON),
    ]
    if query.offset + len(found.features) < found.matched:
        links.append(_items_link(here, params, "next", offset=query.offset + query.limit))
    if query.offset > 0:
        links.append(_items_link(here, params, "prev", offset=max(0, query.offset - query.limit)))
    return {
        "type": "FeatureCollection",
        "features": [_feature(f, request.crs) for f in found.features],
        "numberMatched": found.matched,
        "numberReturned": len(found.features),
        "timeStamp": clock.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": [link.model_dump(exclude_none=True) for link in links],
    }


async def one(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    base: str,
    layer: Layer,
    edition: PlanEdition,
    caller: Principal | None,
    feature_id: str,
    crs: Crs,
) -> dict[str, Any]:
    feature = await layers.one(
        session=session,
        settings=settings,
        layer=layer,
        edition=edition,
        caller=caller,
        feature_id=feature_id,
    )
    here = f"{base}/collections/{layer.id}"
    body = _feature(feature, crs)
    body["links"] = [
        Link(href=f"{here}/items/{feature_id}", rel="self", type=GEO_JSON).model_dump(
            exclude_none=True
        ),
        Link(href=here, rel="collection", type=JSON).model_dump(exclude_none=True),
    ]
    return body
