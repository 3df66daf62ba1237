"""What the generated OpenAPI document needs beyond FastAPI's defaults, for every service:
the problems the platform itself may answer on an operation (documented here, once, from what
the route depends on; a route documents only its own, and its description wins), problem+json
as their content type, and the ``Idempotency-Key`` header."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from servicekit import http_cache
from servicekit.auth import optional_principal
from servicekit.concurrency import if_match_required
from servicekit.deps import token_checked
from servicekit.docs import document_oidc_login
from servicekit.errors import PROBLEM_JSON, PROBLEM_RESPONSES, Problem
from servicekit.idempotency import MAX_KEY_LENGTH
from servicekit.pagination import page_params
from servicekit.rate_limit import RATE_LIMITED_RESPONSE, UNLIMITED_PATHS
from servicekit.request_checks import dependants as all_dependants
from servicekit.unit_of_work import get_session

PLATFORM_PROBLEMS = {
    400: "Invalid Idempotency-Key 幂等键无效",
    401: PROBLEM_RESPONSES[401]["description"],
    403: PROBLEM_RESPONSES[403]["description"],
    409: "Conflicts with the current state or with data written meanwhile, or a request with "
    "the same Idempotency-Key is still running 状态冲突",
    412: "If-Match names a version that is no longer current 版本已变更",
    413: "Request body too large 请求体过大",
    415: "Content-Type this operation does not take 不支持的媒体类型",
    422: PROBLEM_RESPONSES[422]["description"],
    428: "If-Match header required 需要 If-Match",
    503: "Database unreachable; retry after Retry-After seconds 数据库暂不可用",
}

NEXT_PAGE_LINK = {
    "description": 'The next page, as `<url>; rel="next"` (RFC 8288); absent on the last page.',
    "schema": {"type": "string"},
    "example": '</works?limit=50&cursor=WyIyMDI2LTAxLTAxIiwiMSJd.c2lnbmF0dXJl>; rel="next"',
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe 幂等键: the same key and body get the first response "
    "again; the same key with another body gets 422; while the first is running, 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "example": "3f1c2d9e-8b7a-4c55-9e0f-1a2b3c4d5e6f",
}


def customize_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path, item in document.get("paths", {}).items():
                for method, operation in item.items():
                    if not isinstance(operation, dict):
                        continue
                    if method == "get" and path not in UNLIMITED_PATHS:  # AnonymousReadLimit
                        operation["responses"].setdefault("429", _anonymous_read_limit())
                    _problems_as_problem_json(operation)
                    if method == "post":  # the unit-of-work middleware honours it on every POST
                        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            _document_platform_problems(app, document)
            document_oidc_login(document, app.state.settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_as_problem_json(operation: dict[str, Any]) -> None:
    """FastAPI puts a response model's schema under application/json, leaving the
    problem+json entry that ``problem_doc`` declares without one: move it there."""
    for response in operation.get("responses", {}).values():
        content = response.get("content", {})
        plain = content.get("application/json", {}).get("schema", {})
        if PROBLEM_JSON in content and plain.get("$ref", "").endswith("/Problem"):
            content[PROBLEM_JSON] = content.pop("application/json")


def platform_problems(route: APIRoute) -> set[int]:
    """The statuses servicekit may answer on ``route``, whatever the route itself does."""
    dependants = list(all_dependants(route.dependant))
    calls = {dependant.call for dependant in dependants}
    headers = {param.alias.lower() for d in dependants for param in d.header_params}
    post = "POST" in route.methods  # Idempotency-Key: claimed in the database; refused; busy
    codes = set()
    if optional_principal in calls:  # a token, when one is sent, is checked
        codes.add(401)
    if any(hasattr(call, "allowed_roles") for call in calls):  # auth.require
        codes.add(403)
    if post or any(
        d.path_params or d.query_params or d.header_params or d.body_params for d in dependants
    ):
        codes.add(422)
    if route.body_field is not None:
        codes |= {413, 415}
    if "if-match" in headers:
        codes.add(412)
    if if_match_required in calls:  # IfMatch; OptionalIfMatch checks only what is sent
        codes.add(428)
    if post:
        codes.add(400)
    if get_session in calls or post:
        codes.add(503)
        if route.methods - {"GET", "HEAD"}:  # a commit can meet a concurrent writer
            codes.add(409)
    return codes


def _token_optional(route: APIRoute) -> bool:
    """A token is read when sent (optional_principal) but no role is required (auth.require)."""
    return not any(hasattr(d.call, "allowed_roles") for d in all_dependants(route.dependant))


def _answer_depends_on_token(dependant: Any) -> bool:
    """The route reads the caller (``Visitor``), not only checks a token (``Public``)."""
    for dependency in dependant.dependencies:
        if dependency.call is optional_principal:
            return True
        if dependency.call is not token_checked and _answer_depends_on_token(dependency):
            return True
    return False


def _require_if_match(operation: dict[str, Any]) -> None:
    """``IfMatch`` answers 428 without the header, so the document says it is required."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "minLength": 1, "title": "If-Match"}


def _pages(route: APIRoute) -> bool:
    return any(d.call is page_params for d in all_dependants(route.dependant))


def _document_platform_problems(app: FastAPI, document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # FastAPI's own 422 (plain JSON, HTTPValidationError) is not what the client receives
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in {**problem.pop("$defs", {}), "Problem": problem}.items():
        schemas.setdefault(name, schema)
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = document["paths"][context.path_format][method.lower()]
            responses = operation["responses"]
            if _is_fastapi_default(responses.get("422")):
                del responses["422"]
            for code in platform_problems(route):
                responses.setdefault(
                    str(code), {"description": PLATFORM_PROBLEMS[code], "content": content}
                )
            if _token_optional(route) and operation.get("security"):
                # a public route: a token is checked when sent, never required (OpenAPI's `{}`).
                # Swagger UI shows no lock only for `[{}]`: kept for routes whose answer is the
                # same for everyone; where a token shows more, it is offered beside `{}`.
                shows_more = _answer_depends_on_token(route.dependant)
                operation["security"] = [{}, *operation["security"]] if shows_more else [{}]
            if if_match_required in {d.call for d in all_dependants(route.dependant)}:
                _require_if_match(operation)
            if http_cache.is_conditional({d.call for d in all_dependants(route.dependant)}):
                http_cache.document(operation)
            if _pages(route) and "200" in responses:
                responses["200"].setdefault("headers", {})["Link"] = NEXT_PAGE_LINK
            operation["responses"] = dict(sorted(responses.items()))


def _is_fastapi_default(response: dict[str, Any] | None) -> bool:
    schema = (response or {}).get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == "#/components/schemas/HTTPValidationError"


def _anonymous_read_limit() -> dict[str, Any]:
    response = RATE_LIMITED_RESPONSE[429]
    return {
        "description": response["description"] + " (reads without a bearer token)",
        "headers": response["headers"],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
