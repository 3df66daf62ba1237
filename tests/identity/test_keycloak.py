"""The services behind a real OpenID Connect provider (Keycloak): client credentials for
government systems, authorization code with PKCE for staff, issuer/audience/expiry checks, claim
mapping and a signing-key rotation the running service follows without a restart."""

import asyncio
import base64
import hashlib
import html
import re
import secrets
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from devkit.inprocess import InProcessBroker
from devkit.localinfra.keycloak import KeycloakServer
from devkit.testing import running_service
from rights_api.app import SERVICE
from servicekit.auth import Authenticator, Role
from servicekit.errors import Unauthorized

# the first test also waits for Keycloak: a first start unpacks and augments it (minutes)
pytestmark = [pytest.mark.production_shape, pytest.mark.timeout(600)]

GOV_CLIENT, GOV_SECRET = "mineadmin-gov-systems", "gov-systems-test-secret"
ENTERPRISE_CLIENT, ENTERPRISE_SECRET = "mineadmin-enterprise-demo", "enterprise-demo-test-secret"
ENTERPRISE_HOLDER = "0b4c1c3e-6f2a-4c55-9a6e-7d0c2f1e9a01"
DOCS_CLIENT = "mineadmin-docs"
REDIRECT_URI = "http://127.0.0.1:8001/docs/oauth2-redirect"
ROLE_MAP = {
    "mineadmin-bureau-admin": "bureau_admin",
    "mineadmin-bureau-reviewer": "bureau_reviewer",
    "mineadmin-inspector": "inspector",
    "mineadmin-enterprise": "enterprise",
    "mineadmin-evaluator": "evaluator",
    "mineadmin-gov-system": "gov_system",
}


def idp_settings(idp: KeycloakServer, **overrides: Any) -> dict[str, Any]:
    """The settings README's "Identity provider" section describes, for this Keycloak."""
    return {
        "mode": "production",
        "jwt_jwks_url": idp.jwks_url,
        "jwt_issuer": idp.issuer,
        "jwt_audience": "mineadmin",
        "jwt_roles_claim": "realm_access.roles",
        "jwt_role_map": ROLE_MAP,
        "jwks_min_refetch_seconds": 1,
        "oidc_authorization_url": idp.authorization_url,
        "oidc_token_url": idp.token_url,
        "docs_oauth_client_id": DOCS_CLIENT,
        **overrides,
    }


def service(url: str, idp: KeycloakServer, **overrides: Any):
    return running_service(
        SERVICE,
        database_url=url,
        broker=InProcessBroker(),
        background=False,
        **idp_settings(idp, **overrides),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response, *words: str) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    for word in words:
        assert word.lower() in detail.lower(), detail
    return detail


def browser_cookies(browser: httpx.Client) -> dict[str, str]:
    """The provider's cookies are Secure; a browser sends them to http://127.0.0.1 (a secure
    context) but httpx only over https, so the test sends them as a browser would."""
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)}


def staff_login(idp: KeycloakServer, username: str, password: str) -> str:
    """Authorization code with PKCE, as Swagger UI's Authorize button drives it: the provider's
    login form, its redirect back with the code, and the code exchanged with the verifier."""
    verifier = secrets.token_urlsafe(64)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    state = secrets.token_urlsafe(16)
    with httpx.Client(timeout=60) as browser:
        page = browser.get(
            idp.authorization_url,
            params={
                "client_id": DOCS_CLIENT,
                "response_type": "code",
                "redirect_uri": REDIRECT_URI,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            follow_redirects=True,
        )
        assert page.status_code == 200, page.text[:500]
        form = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
        assert form, "no login form on the provider's page"
        answer = browser.post(
            html.unescape(form.group(1)),
            headers=browser_cookies(browser),
            data={"username": username, "password": password, "credentialId": ""},
        )
        assert answer.status_code == 302, answer.text[:500]
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
        query = parse_qs(location.query)
        assert query["state"] == [state]
        exchange = {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": DOCS_CLIENT,
        }
        without_verifier = browser.post(idp.token_url, data=exchange)
        assert without_verifier.status_code == 400, "PKCE must be required"
        # the failed attempt spent the code: log in again through the same session (SSO)
        again = browser.get(
            idp.authorization_url,
            params={
                "client_id": DOCS_CLIENT,
                "response_type": "code",
                "redirect_uri": REDIRECT_URI,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            headers=browser_cookies(browser),
        )
        assert again.status_code == 302, again.text[:500]
        code = parse_qs(urlsplit(again.headers["location"]).query)["code"][0]
        tokens = browser.post(
            idp.token_url, data={**exchange, "code": code, "code_verifier": verifier}
        )
        assert tokens.status_code == 200, tokens.text
        return tokens.json()["access_token"]


@pytest.fixture
async def rights(databases, idp):
    url = await databases.create("rights")
    async with service(url, idp) as running:
        yield running


async def test_a_government_system_calls_with_a_client_credentials_token(rights, idp):
    token = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    response = await rights.client.get("/applications", headers=bearer(token))
    assert response.status_code == 200, response.text
    principal = await rights.app.state.authenticator.authenticate(token)
    assert principal.roles == {Role.gov_system}
    assert principal.holder_id is None


async def test_an_enterprise_system_is_limited_to_the_holder_its_token_names(rights, idp):
    token = idp.client_credentials(ENTERPRISE_CLIENT, ENTERPRISE_SECRET)
    principal = await rights.app.state.authenticator.authenticate(token)
    assert principal.roles == {Role.enterprise}
    assert principal.own_holder == uuid.UUID(ENTERPRISE_HOLDER)
    response = await rights.client.get(f"/holders/{uuid.uuid4()}", headers=bearer(token))
    assert response.status_code in (403, 404), response.text


async def test_staff_log_in_by_authorization_code_with_pkce(rights, idp):
    token = staff_login(idp, "reviewer", "reviewer-test-password")
    principal = await rights.app.state.authenticator.authenticate(token)
    assert principal.roles == {Role.bureau_reviewer}
    response = await rights.client.get("/holders", headers=bearer(token))
    assert response.status_code == 200, response.text


async def test_docs_offer_the_providers_login_with_pkce(rights, idp):
    page = await rights.client.get("/docs")
    assert page.status_code == 200
    assert f'"clientId": "{DOCS_CLIENT}"' in page.text
    assert '"usePkceWithAuthorizationCodeGrant": true' in page.text
    assert "/docs-assets/swagger-ui-bundle.js" in page.text  # still served without internet
    assert (await rights.client.get("/docs/oauth2-redirect")).status_code == 200
    document = (await rights.client.get("/openapi.json")).json()
    flow = document["components"]["securitySchemes"]["oidc"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == idp.authorization_url
    assert flow["tokenUrl"] == idp.token_url
    assert {"oidc": []} in document["paths"]["/holders"]["get"]["security"]


async def test_a_token_for_another_issuer_is_refused(rights, idp):
    # the same provider, reached by another name, signs with the same key but names itself so
    async with httpx.AsyncClient(timeout=60) as client:
        other = await client.post(
            idp.token_url.replace("127.0.0.1", "localhost"),
            data={"grant_type": "client_credentials"},
            auth=(GOV_CLIENT, GOV_SECRET),
        )
    assert other.status_code == 200, other.text
    token = other.json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] != idp.issuer
    refused(await rights.client.get("/applications", headers=bearer(token)), "issuer")


async def test_a_token_for_another_audience_is_refused(databases, idp):
    token = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    url = await databases.create("rights")
    async with service(url, idp, jwt_audience="mineadmin-elsewhere") as elsewhere:
        response = await elsewhere.client.get("/applications", headers=bearer(token))
        refused(response, "audience")


async def test_an_expired_token_is_refused(rights, idp):
    idp.admin("PUT", "", json={"accessTokenLifespan": 1})
    try:
        token = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    finally:
        idp.admin("PUT", "", json={"accessTokenLifespan": 300})
    await asyncio.sleep(2.1)
    refused(await rights.client.get("/applications", headers=bearer(token)), "expired")


async def test_made_up_key_ids_do_not_flood_the_provider(rights, idp):
    authenticator = rights.app.state.authenticator
    real = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    assert (await rights.client.get("/applications", headers=bearer(real))).status_code == 200
    fetches = authenticator._jwks.fetches
    _, payload, signature = real.split(".")
    for _ in range(20):
        forged_header = jwt.utils.base64url_encode(
            f'{{"alg":"RS256","typ":"JWT","kid":"{uuid.uuid4()}"}}'.encode()
        ).decode()
        token = f"{forged_header}.{payload}.{signature}"
        refused(await rights.client.get("/applications", headers=bearer(token)), "signing key")
    assert authenticator._jwks.fetches - fetches <= 2  # the floor: at most one per second


async def test_a_signing_key_rotation_needs_no_restart(rights, idp):
    before = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    assert (await rights.client.get("/applications", headers=bearer(before))).status_code == 200
    old_kid = jwt.get_unverified_header(before)["kid"]

    idp.rotate_signing_key()
    async with httpx.AsyncClient(timeout=60) as client:
        kids = {key["kid"] for key in (await client.get(idp.jwks_url)).json()["keys"]}
    assert old_kid not in kids

    await asyncio.sleep(1.1)  # past the refetch floor of these settings
    after = idp.client_credentials(GOV_CLIENT, GOV_SECRET)
    new_kid = jwt.get_unverified_header(after)["kid"]
    assert new_kid != old_kid and new_kid in kids
    response = await rights.client.get("/applications", headers=bearer(after))
    assert response.status_code == 200, response.text
    # the old key is gone from the provider: a replica that has not seen the token refuses it
    with pytest.raises(Unauthorized, match="signing key"):
        await Authenticator(rights.settings).authenticate(before)
