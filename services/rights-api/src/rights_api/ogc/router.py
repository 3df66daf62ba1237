"""HTTP for OGC API Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS by reference) over
the layer catalogue. Public: without a token each collection shows what the public may see."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from servicekit import clock
from servicekit.deps import Public, Session, Visitor
from servicekit.errors import NotFound, problem_doc

from rights_api.layers.catalogue import LAYERS, Layer, filterable
from rights_api.ogc import service
from rights_api.ogc.definition import PARAMETERS, document
from rights_api.ogc.params import check_format, crs_named, items_request, refuse
from rights_api.ogc.schemas import (
    CONFORMANCE,
    GEO_JSON,
    OPENAPI_30,
    Collection,
    Collections,
    Conformance,
    LandingPage,
)
from rights_api.plan import service as plans

router = APIRouter(prefix="/ogc", tags=["OGC API Features 开放地理空间接口"])
CollectionId = Annotated[
    str,
    Path(
        description="zones, planned_blocks, prohibited_areas, rights, legacy_sites or "
        "restoration_areas",
        examples=["zones"],
        pattern=r"^[a-z_]{1,40}$",
    ),
]
FeatureId = Annotated[
    str,
    Path(description="The feature's id 要素标识", examples=["SCJ001", "KQ-01"], max_length=100),
]
# OGC's format parameter; declared (not only read) so the platform's request checks see this
# route's query (a query string that is not UTF-8 is a 422 naming it, as everywhere)
Format = Annotated[
    str | None,
    Query(
        description="Response format: `json` (the only one served)",
        examples=["json"],
        json_schema_extra={"enum": ["json"]},
    ),
]
NO_COLLECTION = {404: problem_doc("No such collection 无此图层")}
BAD = {400: problem_doc("Invalid parameter (bbox, limit, crs, datetime, ...) 参数无效")}
# legacy_sites and restoration_areas are restoration-api's (servicekit.peers)
PEER = {502: problem_doc("restoration-api did not answer (named in `service`) 修复服务无响应")}
GEOJSON_DOC = {"content": {GEO_JSON: {}}}
# the parameters read by hand (ogc/params.py), documented in /openapi.json too, as served: a
# larger `limit` is read as the maximum (OGC API Features 7.15.4), never refused, so this
# document gives no maximum (/ogc/api keeps the standard's fragment word for word)
ITEMS_PARAMETERS = [
    {
        **PARAMETERS["limit"],
        "schema": {k: v for k, v in PARAMETERS["limit"]["schema"].items() if k != "maximum"},
    },
    *(PARAMETERS[p] for p in ("offset", "bbox", "bbox-crs", "crs", "datetime")),
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _layer(collection_id: str) -> Layer:
    layer = LAYERS.get(collection_id)
    if layer is None:
        raise NotFound(f"No collection {collection_id}; see /ogc/collections.")
    return layer


def _only(request: Request, *allowed: str) -> dict[str, str]:
    params = dict(request.query_params)
    for name in params:
        if name not in (*allowed, "f"):
            raise refuse(name, f"not a parameter here (allowed: {', '.join((*allowed, 'f'))})")
    check_format(params)
    return params


def _geojson(body: dict[str, Any], crs_uri: str) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type=GEO_JSON,
        headers={"Content-Crs": f"<{crs_uri}>"},
    )


async def _edition(session: Any) -> Any:
    return await plans.edition_in_force(session=session, on=clock.local_today())


@router.get("", summary="OGC API landing page OGC接口首页", responses=BAD)
async def landing(request: Request, _: Public, f: Format = None) -> LandingPage:
    """Links to the API definition (OpenAPI 3.0), the conformance classes and the collections.
    GIS clients start here: `ogrinfo OAPIF:http://<host>:8001/ogc`.
    """
    _only(request)
    return service.landing(_base(request))


@router.get("/", include_in_schema=False)
async def landing_slash(request: Request, _: Public, f: Format = None) -> LandingPage:
    return await landing(request, None)


@router.get("/conformance", summary="Conformance classes OGC符合性类", responses=BAD)
async def conformance(request: Request, _: Public, f: Format = None) -> Conformance:
    """Part 1 Core, GeoJSON and OpenAPI 3.0; Part 2 CRS by reference."""
    _only(request)
    return Conformance(conformsTo=CONFORMANCE)


@router.get(
    "/api",
    summary="OGC API definition (OpenAPI 3.0) OGC接口定义",
    response_class=Response,
    responses={200: {"content": {OPENAPI_30: {}}, "description": "OpenAPI 3.0"}, **BAD},
)
async def api_definition(request: Request, _: Public, f: Format = None) -> Response:
    """The OGC part described in OpenAPI 3.0, as the conformance class oas30 asks (the service's
    own document at `/openapi.json` is OpenAPI 3.1).
    """
    _only(request)
    return Response(json.dumps(document(_base(request)), ensure_ascii=False), media_type=OPENAPI_30)


@router.get("/collections", summary="Collections 图层列表", responses=BAD)
async def collections(
    request: Request, session: Session, _: Public, f: Format = None
) -> Collections:
    """The six layers: zones, planned_blocks, prohibited_areas (the edition in force today),
    rights, legacy_sites and restoration_areas, with their extent and CRS list.
    """
    _only(request)
    return service.collections(_base(request), await _edition(session))


@router.get(
    "/collections/{collection_id}",
    summary="A collection 图层详情",
    responses={**NO_COLLECTION, **BAD},
)
async def describe(
    collection_id: CollectionId, request: Request, session: Session, _: Public, f: Format = None
) -> Collection:
    _only(request)
    layer = _layer(collection_id)
    return service.collection(_base(request), layer, await _edition(session))


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection 图层要素",
    response_class=Response,
    responses={
        200: {**GEOJSON_DOC, "description": "FeatureCollection"},
        **NO_COLLECTION,
        **BAD,
        **PEER,
    },
    openapi_extra={"parameters": ITEMS_PARAMETERS},
)
async def items(
    collection_id: CollectionId,
    request: Request,
    session: Session,
    caller: Visitor,
    f: Format = None,
) -> Response:
    """A page of features (GeoJSON) with `numberMatched`, `numberReturned` and `next` / `prev`
    links. Parameters: `limit` (1–1000, default 10; larger is served as 1000), `offset`, `bbox`
    (4 or 6 numbers in `bbox-crs`, default CRS84), `crs` (CRS84, EPSG:4490, EPSG:4546,
    EPSG:4525 as `http://www.opengis.net/def/crs/...` URIs; the answer's axis order is the
    CRS's own: latitude first for 4490, northing first for the Gauss-Krüger ones; the
    `Content-Crs` header names it), `datetime` (an instant or interval meeting the plan period,
    the licence's validity or the acceptance day) and equality filters on properties the caller
    sees on every feature, e.g. `?status=producing&mineral=construction_granite`. A bad or
    unknown parameter is 400.
    """
    layer = _layer(collection_id)
    params = dict(request.query_params)
    parsed = items_request(params, filterable(layer, caller))
    body = await service.items(
        session=session,
        settings=request.app.state.settings,
        base=_base(request),
        layer=layer,
        edition=await _edition(session),
        caller=caller,
        request=parsed,
        params=params,
    )
    return _geojson(body, parsed.crs.uri)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature 单个要素",
    response_class=Response,
    responses={
        200: {**GEOJSON_DOC, "description": "Feature"},
        404: problem_doc("No such collection or feature 无此要素"),
        **BAD,
        **PEER,
    },
    openapi_extra={"parameters": [PARAMETERS["crs"]]},
)
async def feature(
    collection_id: CollectionId,
    feature_id: FeatureId,
    request: Request,
    session: Session,
    caller: Visitor,
    f: Format = None,
) -> Response:
    """One feature by its id (a right's UUID, a zone's code such as `SCJ001`, a block's id
    such as `KQ-01`), in `crs` (default CRS84).
    """
    params = _only(request, "crs")
    crs = crs_named(params.get("crs"), "crs")
    body = await service.one(
        session=session,
        settings=request.app.state.settings,
        base=_base(request),
        layer=_layer(collection_id),
        edition=await _edition(session),
        caller=caller,
        feature_id=feature_id,
        crs=crs,
    )
    return _geojson(body, crs.uri)
