"""HTTP for the map layers: public GeoJSON, no token needed."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from servicekit.deps import Session, Visitor
from servicekit.errors import PROBLEM_RESPONSES
from servicekit.http_cache import cached

from restoration_api.maps import service
from restoration_api.maps.schemas import MapQuery

router = APIRouter(tags=["maps 治理图层"])
GEOJSON = {
    200: {"content": {"application/geo+json": {}}, "description": "FeatureCollection"},
    **PROBLEM_RESPONSES,
}


# officials get more properties than the public
LegacySitesCache = Annotated[None, cached("legacy_sites", "works", "acceptances", by_caller=True)]
AreasCache = Annotated[None, cached("works", "acceptances", by_caller=True)]


def geojson(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")


@router.get(
    "/legacy-sites.geojson",
    response_class=Response,
    summary="Legacy sites on the map 历史遗留矿山治理图层",
    responses=GEOJSON,
)
async def legacy_sites(
    session: Session,
    caller: Visitor,
    query: Annotated[MapQuery, Query()],
    _cache: LegacySitesCache,
) -> Response:
    """A FeatureCollection (RFC 7946) of the legacy sites 历史遗留矿山 with a boundary, in CGCS2000
    (EPSG:4490) longitude/latitude, feature `id` the site's id. Properties: `code`, `name`,
    `edition`, `damaged_area_ha`, `restored_area_ha` (accepted), `status` (registered,
    in_progress, not_passed, accepted), `accepted_on` and `illustrative` (demo boundary 示意).
    Public; officials also get `description`, `plan_clause`, `fund_id` and `works`. A bad `bbox`
    is a 422 naming `query.bbox`.
    """
    return geojson(await service.legacy_sites(session=session, box=query.box(), caller=caller))


@router.get(
    "/restoration-areas.geojson",
    response_class=Response,
    summary="Mines' restoration areas on the map 矿山治理与复垦区图层",
    responses=GEOJSON,
)
async def restoration_areas(
    session: Session, caller: Visitor, query: Annotated[MapQuery, Query()], _cache: AreasCache
) -> Response:
    """A FeatureCollection (RFC 7946) of the areas mines treat or reclaim: each restoration work
    of a mine with a boundary, in CGCS2000 (EPSG:4490) longitude/latitude, feature `id` the
    work's id. Properties: `code`, `right_id`, `kind` (geological_environment 矿山地质环境治理,
    land_reclamation 土地复垦), `area_ha`, `status` (in_progress, not_passed, accepted),
    `accepted_on` and `illustrative`. Public; officials also get `name` and `year`.
    """
    box = query.box()
    return geojson(await service.restoration_areas(session=session, box=box, caller=caller))
