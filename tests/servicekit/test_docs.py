"""API docs work on a network without internet: Swagger UI and ReDoc from local files only, and
every service's OpenAPI document is bilingual and documents its problem answers."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from devkit.inprocess import InProcessBroker
from rights_api.app import SERVICE
from rights_api.holders.credit_code import credit_code_problem
from servicekit.app import build_app
from servicekit.services import installed_services

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
OPERATIONS_TAG = "operations 运维"
# the docs never touch the database: a closed port proves it
NO_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/x"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ASCII_LETTER = re.compile(r"[A-Za-z]")


def app_for(spec):
    return build_app(
        spec, spec.settings(database_url=NO_DATABASE), broker=InProcessBroker(), background=False
    )


@pytest.fixture
async def client() -> Iterator[httpx.AsyncClient]:
    app = app_for(SERVICE)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_reference_only_local_assets(client, page):
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "http://" not in html and "https://" not in html
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    assert "openapi.json" in html

    parser = References()
    parser.feed(html)
    assert parser.urls, "the page loads no assets?"
    scripts = [u for u in parser.urls if u.endswith(".js")]
    assert scripts, "the page loads no JavaScript"
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        kind = asset.headers["content-type"]
        if url.endswith(".js"):
            assert "javascript" in kind, (url, kind)
            assert len(asset.content) > 100_000, url
        elif url.endswith(".css"):
            assert kind.startswith("text/css"), (url, kind)
            assert len(asset.content) > 10_000, url
        else:
            assert kind.startswith("image/"), (url, kind)
            assert len(asset.content) > 500, url


async def test_the_asset_bundles_load_no_fonts_from_the_internet(client):
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        body = (await client.get(f"/docs-assets/{name}")).text
        assert "fonts.googleapis.com" not in body, name
        assert "fonts.gstatic.com" not in body, name


# what makes a browser fetch by itself: an element's src, a stylesheet's url() or @import,
# a script's fetch/XHR/import() or a Worker, each to an absolute address
LOADED = re.compile(
    r"""(?:\bsrc\s*[:=]\s*|\burl\(\s*|@import\s+|\bfetch\(\s*|\.open\(\s*["'`]GET["'`],\s*"""
    r"""|\bimport\(\s*|\bWorker\(\s*)["'`]?(?:https?:)?//[^"'`)\s]+""",
    re.IGNORECASE,
)


async def test_redoc_and_its_bundle_load_nothing_from_an_outside_host(client):
    """Without internet the ReDoc page must still work: neither the page nor the JavaScript it
    loads fetch anything from outside (the upstream bundle loads its logo from cdn.redoc.ly)."""
    page = (await client.get("/redoc")).text
    parser = References()
    parser.feed(page)
    loaded = [page]
    for url in parser.urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        if url.endswith(".js"):
            loaded.append(asset.text)
    assert len(loaded) == 2, parser.urls
    for text in loaded:
        assert LOADED.findall(text) == []
        assert "cdn.redoc.ly" not in text and "fonts.googleapis" not in text
    assert LOADED.findall('x={src:"https://cdn.redoc.ly/logo.svg"}')  # the check sees one


async def test_every_answer_says_nosniff(client):
    for path in ("/openapi.json", "/redoc", "/docs-assets/redoc.standalone.js", "/no-such-path"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path


# --- OpenAPI for every installed service -----------------------------------------------------


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                yield method.upper(), path, op


def test_every_service_is_installed():
    assert {"rights", "restoration", "greenmine", "notifier"} <= set(installed_services())


@pytest.mark.parametrize("name", sorted(installed_services()))
async def test_openapi_is_bilingual_and_documents_problems(name):
    spec = installed_services()[name]
    app = app_for(spec)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert CJK.search(doc["info"]["title"]) and ASCII_LETTER.search(doc["info"]["title"])
    assert "HTTPValidationError" not in doc.get("components", {}).get("schemas", {})

    domain = 0
    for method, path, op in _operations(doc):
        where = f"{name}: {method} {path}"
        summary = op.get("summary", "")
        assert CJK.search(summary) and ASCII_LETTER.search(summary), f"{where}: {summary!r}"
        for tag in op.get("tags", []):
            assert CJK.search(tag) and ASCII_LETTER.search(tag), f"{where}: tag {tag!r}"
        _assert_errors_are_problems(where, op)
        if OPERATIONS_TAG in op.get("tags", []):
            continue
        domain += 1
        problems = [code for code, r in op["responses"].items() if PROBLEM_JSON in _content(r)]
        assert problems, f"{where}: documents no problem response"
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in problems, f"{where}: 422 not documented as a problem"
        if op.get("security") and {} in op["security"]:  # public: a token is optional
            assert "401" in problems, f"{where}: 401 (a bad token) not documented"
        elif op.get("security"):
            assert {"401", "403"} <= set(problems), f"{where}: 401/403 not documented"
    if spec.routers:
        assert domain, f"{name}: routers but no documented domain route"


def _content(response: dict[str, Any]) -> dict[str, Any]:
    return response.get("content", {})


def _assert_errors_are_problems(where: str, op: dict[str, Any]) -> None:
    """A problem is documented as application/problem+json with the Problem schema, never as
    plain JSON: what the docs say is what the client receives."""
    for code, response in op["responses"].items():
        content = _content(response)
        for media_type, entry in content.items():
            if entry.get("schema", {}).get("$ref") == PROBLEM_REF:
                assert media_type == PROBLEM_JSON, f"{where} {code}: Problem as {media_type}"
        if PROBLEM_JSON in content:
            assert content[PROBLEM_JSON].get("schema", {}).get("$ref") == PROBLEM_REF, (
                f"{where} {code}: problem+json without the Problem schema"
            )
            assert "application/json" not in content, f"{where} {code}: also as plain JSON"


def _credit_code_examples(node: Any) -> Iterator[str]:
    """Every example credit code anywhere in the document (property and object examples)."""
    if isinstance(node, dict):
        code = node.get("properties", {}).get("credit_code")
        if isinstance(code, dict):
            yield from code.get("examples", [])
            if "example" in code:
                yield code["example"]
        for key in ("examples", "example"):
            values = node.get(key)
            values = values if isinstance(values, list) else [values]
            for value in values:
                if isinstance(value, dict) and isinstance(value.get("credit_code"), str):
                    yield value["credit_code"]
                if isinstance(value, dict) and isinstance(value.get("value"), dict):
                    code_value = value["value"].get("credit_code")
                    if isinstance(code_value, str):
                        yield code_value
        for value in node.values():
            yield from _credit_code_examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _credit_code_examples(value)


def test_the_example_credit_codes_are_valid():
    doc = app_for(SERVICE).openapi()
    codes = list(_credit_code_examples(doc))
    assert len(codes) >= 2, codes  # the field's own example and the holder example
    for code in codes:
        assert credit_code_problem(code) is None, (code, credit_code_problem(code))


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_every_post_documents_the_idempotency_key(name):
    doc = app_for(installed_services()[name]).openapi()
    posts = [(path, op) for method, path, op in _operations(doc) if method == "post"]
    for path, op in posts:
        headers = [p for p in op.get("parameters", []) if p["in"] == "header"]
        assert [h["name"] for h in headers].count("Idempotency-Key") == 1, path


def test_updates_document_if_match():
    doc = app_for(installed_services()["rights"]).openapi()
    patch = doc["paths"]["/holders/{holder_id}"]["patch"]
    assert any(p["in"] == "header" and p["name"] == "If-Match" for p in patch["parameters"])
