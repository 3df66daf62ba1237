"""Swagger UI and ReDoc from files shipped in the fastapi-offline wheel: no CDN, no web fonts."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from servicekit.settings import ServiceSettings

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
OIDC_SCHEME = "oidc"
REDOC_JS_URL = f"{ASSETS_URL}/redoc.standalone.js"
# an image the ReDoc bundle loads by itself (its logo from cdn.redoc.ly): on a network without
# internet the request would hang or fail, and it tells an outside host who reads the docs
_OUTSIDE_IMAGE = re.compile(r"""\bsrc:(["'`])https?://[^"'`]*\1""")


@cache
def offline_redoc_js() -> bytes:
    """The ReDoc bundle with every image it would fetch from outside replaced by an empty one
    (``data:,``: the logo's error handler then hides it)."""
    bundle = (ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    return _OUTSIDE_IMAGE.sub('src:"data:,"', bundle).encode()


def oidc_login(settings: ServiceSettings) -> bool:
    """Whether /docs offers staff login at the identity provider (authorization code + PKCE)."""
    return bool(
        settings.oidc_authorization_url
        and settings.oidc_token_url
        and settings.docs_oauth_client_id
    )


def document_oidc_login(document: dict[str, Any], settings: ServiceSettings) -> None:
    """The provider's login as an OAuth2 scheme beside the plain bearer token: Swagger UI's
    Authorize button then offers both, and either one authorizes an operation."""
    if not oidc_login(settings):
        return
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[OIDC_SCHEME] = {
        "type": "oauth2",
        "description": "Staff log in at the identity provider (authorization code with PKCE).",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": settings.oidc_authorization_url,
                "tokenUrl": settings.oidc_token_url,
                "scopes": {},
            }
        },
    }
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("security"):
                security = operation["security"]
                if any("HTTPBearer" in requirement for requirement in security):
                    operation["security"] = [*security, {OIDC_SCHEME: []}]


# Module-level endpoints reading the app from the request: FastAPI keeps every endpoint it has
# inspected in a process-wide cache (4096 entries), so a closure over the app would keep each
# app built in a process (the test suite builds hundreds) and everything it holds alive.
router = APIRouter(include_in_schema=False)


@router.get(REDOC_JS_URL)  # included before the assets' mount, which would serve it
async def redoc_js() -> Response:
    return Response(offline_redoc_js(), media_type="text/javascript; charset=utf-8")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} · Swagger UI",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        init_oauth=app.state.docs_init_oauth,
        swagger_ui_parameters={
            "persistAuthorization": True,
            "displayRequestDuration": True,
            "validatorUrl": None,  # never call the online validator
        },
    )


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} · ReDoc",
        redoc_js_url=REDOC_JS_URL,
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )


def install_offline_docs(app: FastAPI, settings: ServiceSettings) -> None:
    app.state.docs_init_oauth = (
        {"clientId": settings.docs_oauth_client_id, "usePkceWithAuthorizationCodeGrant": True}
        if oidc_login(settings)
        else None
    )
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
