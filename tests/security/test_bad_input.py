"""Bad input anywhere is a problem+json 4xx that says what is wrong, is documented for the
operation, and writes nothing; never a 500.

Each test walks every operation of every service that takes the input in question (from the
service's own OpenAPI document), sends the bad request as a bureau admin, and compares every
table of the service's database before and after."""

import uuid
from typing import Any

import httpx
from servicekit.auth import Role

from tests.security.harness import fingerprint

PROBLEM_JSON = "application/problem+json"


def operations(service, *, body: bool | None = None, query: bool | None = None) -> list:
    """(method, path filled in, operation) for every operation, optionally only those that
    take (or don't take) a body or query parameters."""
    found = []
    for path, item in service.app.openapi()["paths"].items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            if body is not None and ("requestBody" in operation) != body:
                continue
            if query is not None and any(p["in"] == "query" for p in params) != query:
                continue
            if path == "/inbox/stream":  # an event stream never ends
                continue
            found.append((method.upper(), fill(path, params), operation))
    return found


def fill(path: str, params: list[dict]) -> str:
    for param in params:
        if param["in"] == "path":
            schema = param["schema"]
            value = 2026 if schema.get("type") == "integer" else uuid.uuid4()
            path = path.replace("{" + param["name"] + "}", str(value))
    return path


def media_type(operation: dict) -> str:
    return next(iter(operation["requestBody"]["content"]))


def refusal(response: httpx.Response, operation: dict, status: int, names: str) -> str | None:
    """Why the response is not the documented problem+json ``status`` naming ``names``."""
    if response.status_code != status:
        return f"{response.status_code}: {response.text[:300]}"
    if response.headers["content-type"] != PROBLEM_JSON:
        return f"content type {response.headers['content-type']}"
    if str(status) not in operation["responses"]:
        return f"{status} not documented"
    problem = response.json()
    said = f"{problem.get('detail', '')} {problem.get('errors', '')}"
    if names not in said:
        return f"does not name {names!r}: {said[:300]}"
    return None


async def each(service, requests, status: int, names: str) -> dict[str, str]:
    """Sends every (method, url, operation, request kwargs) and collects what was wrong."""
    admin = service.auth(Role.bureau_admin)
    before = await fingerprint(service)
    failures = {}
    for method, url, operation, kwargs in requests:
        headers = {**admin, **kwargs.pop("headers", {})}
        response = await service.client.request(method, url, headers=headers, **kwargs)
        if (why := refusal(response, operation, status, names)) is not None:
            failures[f"{method} {url}"] = why
    assert await fingerprint(service) == before, "a refused request wrote something"
    return failures


def bodies(service, make) -> list[tuple[str, str, dict, dict[str, Any]]]:
    return [(m, url, op, make(op)) for m, url, op in operations(service, body=True)]


async def test_an_oversized_body_is_a_413(service):
    def declared(operation):
        limit = (
            service.settings.max_upload_bytes
            if media_type(operation).startswith("multipart/")
            else service.settings.max_body_bytes
        )
        return {
            "content": b" " * (limit + 1),
            "headers": {"content-type": media_type(operation)},
        }

    failures = await each(service, bodies(service, declared), 413, "exceeds")
    assert failures == {}


async def test_an_oversized_body_sent_without_a_length_is_a_413_while_read(service):
    def streamed(operation):
        limit = max(service.settings.max_upload_bytes, service.settings.max_body_bytes)
        declared, start, filler = media_type(operation), b"", b" "  # JSON whitespace
        if declared.startswith("multipart/"):  # a well-formed upload of one endless file
            declared += "; boundary=b"
            start = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
                b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
            )
            filler = b"x"

        async def chunks():
            yield start
            for _ in range(limit // 65536 + 2):
                yield filler * 65536

        return {"content": chunks(), "headers": {"content-type": declared}}

    failures = await each(service, bodies(service, streamed), 413, "exceeds")
    assert failures == {}


async def test_a_body_in_a_media_type_the_operation_does_not_take_is_a_415(service):
    def wrong(operation):
        taken = media_type(operation)
        other = (
            "application/json" if taken.startswith("multipart/") or taken == "text/plain" else None
        )
        return {"content": b"{}", "headers": {"content-type": other or "text/plain"}}

    failures = await each(service, bodies(service, wrong), 415, "This operation takes")
    assert failures == {}


async def test_a_json_body_without_a_content_type_is_a_415(service):
    json_operations = [
        (m, url, op, {"content": b'{"a": 1}'})
        for m, url, op, _ in bodies(service, lambda op: {})
        if media_type(op) == "application/json"
    ]
    assert json_operations
    failures = await each(service, json_operations, 415, "without Content-Type")
    assert failures == {}


def json_operations(service, content: bytes) -> list:
    return [
        (m, url, op, {"content": content, "headers": {"content-type": "application/json"}})
        for m, url, op, _ in bodies(service, lambda op: {})
        if media_type(op) == "application/json"
    ]


async def test_json_nested_ten_thousand_levels_is_a_422_naming_the_body(service):
    deep = b"[" * 10_000 + b"]" * 10_000
    failures = await each(service, json_operations(service, deep), 422, "body")
    assert failures == {}


async def test_json_nested_deeper_than_any_document_is_a_422_naming_the_body(service):
    deep = b'{"a": ' * 100 + b"1" + b"}" * 100  # parses, but no operation takes it
    failures = await each(service, json_operations(service, deep), 422, "Nested deeper")
    assert failures == {}


async def test_a_json_body_that_is_not_utf8_is_a_422_naming_the_body(service):
    latin1 = '{"name": "二连浩特"}'.encode("gb18030")
    failures = await each(service, json_operations(service, latin1), 422, "Not UTF-8")
    assert failures == {}


async def test_a_query_string_that_is_not_utf8_is_a_422_naming_the_query(service):
    def first_query_param(operation):
        return next(p["name"] for p in operation["parameters"] if p["in"] == "query")

    requests = [
        (m, f"{url}?{first_query_param(op)}=%C0%FF", op, {})
        for m, url, op in operations(service, query=True)
    ]
    assert requests
    failures = await each(service, requests, 422, "Not UTF-8")
    assert failures == {}


async def test_an_idempotency_key_reused_with_another_body_is_a_422(service):
    admin = service.auth(Role.bureau_admin)  # keys are per caller: the same one again
    posts = [(m, url, op) for m, url, op in operations(service) if m == "POST"]
    for _, url, _ in posts:  # the first answer, whatever it is, is kept under the key
        first = await service.client.post(
            url, json={}, headers={**admin, "Idempotency-Key": f"key {url}"}
        )
        assert first.status_code < 500, first.text
    second = [
        (m, url, op, {"json": {"other": 1}, "headers": {**admin, "Idempotency-Key": f"key {url}"}})
        for m, url, op in posts
    ]
    failures = await each(service, second, 422, "already used with a different request")
    assert failures == {}
