"""The OpenAPI 3.0 document of the OGC API part (conformance class oas30): FastAPI's own
document at /openapi.json is OpenAPI 3.1, which OGC API Features Part 1 does not name, so the
OGC routes are described again here, in 3.0, with the standard's parameter definitions
(OGC 17-069r4, Annex B) and one items path per collection."""

from typing import Any

from rights_api.layers.catalogue import LAYERS, FieldType, Layer
from rights_api.ogc.crs import SUPPORTED
from rights_api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from rights_api.ogc.schemas import GEO_JSON

JSON = "application/json"
PROBLEM = {
    "description": "Invalid parameter (RFC 9457 problem)",
    "content": {"application/problem+json": {"schema": {"type": "object"}}},
}
NOT_FOUND = {
    "description": "No such collection or feature",
    "content": {"application/problem+json": {"schema": {"type": "object"}}},
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "style": "form",
        "explode": False,
        **extra,
    }


PARAMETERS = {
    "limit": _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "At most this many features (a larger value is served as the maximum).",
    ),
    "offset": _query(
        "offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip this many features."
    ),
    "bbox": _query(
        "bbox",
        # the definition Requirement 22 (/req/core/fc-bbox-definition) gives word for word;
        # five numbers are refused by the server all the same
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "Lower and upper corner in bbox-crs (default CRS84 lon/lat).",
    ),
    "bbox-crs": _query(
        "bbox-crs", {"type": "string", "format": "uri", "enum": list(SUPPORTED)}, "CRS of bbox."
    ),
    "crs": _query(
        "crs", {"type": "string", "format": "uri", "enum": list(SUPPORTED)}, "CRS of the answer."
    ),
    "datetime": _query(
        "datetime", {"type": "string"}, "An RFC 3339 instant or interval (a/b, ../b, a/..)."
    ),
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "The feature's id.",
        "schema": {"type": "string"},
    },
}
TYPES = {
    FieldType.text: {"type": "string"},
    FieldType.real: {"type": "number"},
    FieldType.integer: {"type": "integer"},
    FieldType.date: {"type": "string", "format": "date"},
    FieldType.boolean: {"type": "boolean"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _json(description: str, media: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


def _collection_paths(layer: Layer) -> dict[str, Any]:
    here = f"/collections/{layer.id}"
    filters = [
        _query(f.key, TYPES[f.type], f"{f.name_zh} {f.name_en} (equals)") for f in layer.fields
    ]
    standard = ["limit", "offset", "bbox", "bbox-crs", "crs", "datetime"]
    return {
        here: {
            "get": {
                "summary": f"{layer.title_en} {layer.title_zh}",
                "operationId": f"describe_{layer.id}",
                "tags": ["Collections"],
                "responses": {"200": _json("The collection"), "404": NOT_FOUND},
            }
        },
        f"{here}/items": {
            "get": {
                "summary": f"Features of {layer.title_en} {layer.title_zh}",
                "operationId": f"items_{layer.id}",
                "tags": ["Data"],
                "parameters": [*(_ref(p) for p in standard), *filters],
                "responses": {
                    "200": _json("A GeoJSON FeatureCollection", GEO_JSON),
                    "400": PROBLEM,
                    "404": NOT_FOUND,
                },
            }
        },
        f"{here}/items/{{featureId}}": {
            "get": {
                "summary": f"One feature of {layer.title_en} {layer.title_zh}",
                "operationId": f"feature_{layer.id}",
                "tags": ["Data"],
                "parameters": [_ref("featureId"), _ref("crs")],
                "responses": {
                    "200": _json("A GeoJSON Feature", GEO_JSON),
                    "400": PROBLEM,
                    "404": NOT_FOUND,
                },
            }
        },
    }


def document(base: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page 首页",
                "operationId": "landing",
                "tags": ["Capabilities"],
                "responses": {"200": _json("The landing page")},
            }
        },
        "/api": {
            "get": {
                "summary": "This API definition 接口定义",
                "operationId": "api",
                "tags": ["Capabilities"],
                "responses": {
                    "200": _json("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0")
                },
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes 符合性类",
                "operationId": "conformance",
                "tags": ["Capabilities"],
                "responses": {"200": _json("The conformance classes")},
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections 图层",
                "operationId": "collections",
                "tags": ["Capabilities"],
                "responses": {"200": _json("The collections")},
            }
        },
    }
    for layer in LAYERS.values():
        paths.update(_collection_paths(layer))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "二连浩特市矿产资源规划数据库 OGC API Features",
            "version": "1.0.0",
            "description": "The planning layers and the register as OGC API Features. Without "
            "a token the public view; a bearer token shows what its role may see.",
        },
        "servers": [{"url": base}],
        "components": {
            "parameters": PARAMETERS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
        "paths": paths,
    }
