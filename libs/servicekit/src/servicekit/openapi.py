"""What the generated OpenAPI document needs beyond FastAPI's defaults, for every service."""

from typing import Any

from fastapi import FastAPI

from servicekit.errors import PROBLEM_JSON
from servicekit.idempotency import MAX_KEY_LENGTH
from servicekit.rate_limit import RATE_LIMITED_RESPONSE, UNLIMITED_PATHS

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
            for path, item in generate().get("paths", {}).items():
                for method, operation in item.items():
                    if not isinstance(operation, dict):
                        continue
                    if method == "get" and path not in UNLIMITED_PATHS:  # AnonymousReadLimit
                        operation["responses"].setdefault("429", _anonymous_read_limit())
                    _problems_as_problem_json(operation)
                    if method == "post":  # the unit-of-work middleware honours it on every POST
                        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
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


def _anonymous_read_limit() -> dict[str, Any]:
    response = RATE_LIMITED_RESPONSE[429]
    return {
        "description": response["description"] + " (reads without a bearer token)",
        "headers": response["headers"],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
