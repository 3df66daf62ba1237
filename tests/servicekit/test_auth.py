"""Bearer tokens seen through the real rights-api: every refusal is a problem naming why.

Dev mode verifies HS256 tokens signed with the local secret; production verifies RS256 tokens
against the identity provider's JWKS, here served by a real HTTP server on 127.0.0.1.
"""

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from jwt.algorithms import RSAAlgorithm
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.cli import app as cli
from servicekit.settings import ServiceSettings
from typer.testing import CliRunner

from tests.samples import PETROCHINA
from tests.servicekit.tokens import bearer, claims, hs256

PROBLEM_JSON = "application/problem+json"


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:mineadmin:problem:")
    assert problem["title"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    return problem


async def test_no_token_is_a_401_problem_with_a_bearer_challenge(rights):
    response = await rights.client.get("/holders")
    problem = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="mineadmin"'
    assert "bearer token" in problem["detail"]
    assert problem["instance"] == "/holders"


async def test_a_valid_dev_token_is_accepted(rights):
    response = await rights.client.get("/holders", headers=bearer(hs256(rights)))
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None, "next": None}


def _not_a_jwt(service) -> str:
    return "not-a-jwt"


def _garbage_segments(service) -> str:
    return "eyJhbGciOiJIUzI1NiJ9.!!!.???"


def _wrong_signature(service) -> str:
    return jwt.encode(claims(service), "another-secret-of-sufficient-length-000", algorithm="HS256")


def _tampered_payload(service) -> str:
    header, _, signature = hs256(service, roles=["inspector"]).split(".")
    payload = jwt.utils.base64url_encode(json.dumps(claims(service)).encode()).decode()
    return f"{header}.{payload}.{signature}"


def _alg_none(service) -> str:
    return jwt.encode(claims(service), None, algorithm="none")


def _expired(service) -> str:
    now = int(time.time())
    return hs256(service, iat=now - 7200, exp=now - 3600)


def _no_expiry(service) -> str:
    return hs256(service, exp=None)


def _no_subject(service) -> str:
    return hs256(service, sub=None)


def _wrong_audience(service) -> str:
    return hs256(service, aud="someone-else")


def _no_audience(service) -> str:
    return hs256(service, aud=None)


def _wrong_issuer(service) -> str:
    return hs256(service, iss="https://evil.example")


def _unknown_role(service) -> str:
    return hs256(service, roles=["bureau_admin", "emperor"])


def _roles_not_a_list(service) -> str:
    return hs256(service, roles={"bureau_admin": True})


def _roles_a_number(service) -> str:
    return hs256(service, roles=7)


def _no_role(service) -> str:
    return hs256(service, roles=[])


def _enterprise_without_holder(service) -> str:
    return hs256(service, roles=["enterprise"])


def _evaluator_without_org(service) -> str:
    return hs256(service, roles=["evaluator"])


@pytest.mark.parametrize(
    ("make_token", "why"),
    [
        (_not_a_jwt, "invalid bearer token"),
        (_garbage_segments, "invalid bearer token"),
        (_wrong_signature, "signature verification failed"),
        (_tampered_payload, "signature verification failed"),
        (_alg_none, "alg"),
        (_expired, "expired"),
        (_no_expiry, "exp"),
        (_no_subject, "sub"),
        (_wrong_audience, "audience"),
        (_no_audience, "aud"),
        (_wrong_issuer, "issuer"),
        (_unknown_role, "emperor"),
        (_roles_not_a_list, "role"),
        (_roles_a_number, "role"),
        (_no_role, "no role"),
        (_enterprise_without_holder, "holder_id"),
        (_evaluator_without_org, "org_id"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
async def test_a_bad_token_is_a_401_problem_naming_why(rights, make_token, why):
    response = await rights.client.get("/holders", headers=bearer(make_token(rights)))
    problem = assert_problem(response, 401)
    assert why in problem["detail"].lower(), problem["detail"]


async def test_a_bad_token_is_refused_even_where_the_public_may_read(rights):
    """A broken token is never read as anonymous: it fails even on a public route."""
    response = await rights.client.get("/holders", headers=bearer(_expired(rights)))
    assert_problem(response, 401)


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        (Role.inspector, {}),
        (Role.gov_system, {}),
        (Role.enterprise, {"holder_id": str(uuid.uuid4())}),
        (Role.evaluator, {"org_id": "org-1"}),
    ],
)
async def test_a_valid_token_with_the_wrong_role_is_a_403_problem(rights, role, extra):
    response = await rights.client.post(
        "/holders", json=PETROCHINA, headers=rights.auth(role, **extra)
    )
    problem = assert_problem(response, 403)
    assert problem["type"] == "urn:mineadmin:problem:forbidden"
    assert "bureau_admin" in problem["detail"]
    assert "www-authenticate" not in response.headers


async def test_an_evaluator_may_not_read_holders(rights):
    response = await rights.client.get("/holders", headers=rights.auth(Role.evaluator, org_id="o"))
    assert_problem(response, 403)


# --- the CLI -------------------------------------------------------------------------------


def _cli(*args: str):
    return CliRunner().invoke(cli, ["token", *args])


async def test_the_cli_prints_a_token_that_rights_api_accepts(rights):
    result = _cli("--role", "bureau_admin", "--subject", "ops-1")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token
    created = await rights.client.post("/holders", json=PETROCHINA, headers=bearer(token))
    assert created.status_code == 201, created.text

    result = _cli("--role", "enterprise", "--holder-id", created.json()["id"])
    assert result.exit_code == 0, result.output
    own = await rights.client.get(
        f"/holders/{created.json()['id']}", headers=bearer(result.stdout.strip())
    )
    assert own.status_code == 200, own.text

    result = _cli("--role", "enterprise", "--holder-id", str(uuid.uuid4()))
    other = await rights.client.get(
        f"/holders/{created.json()['id']}", headers=bearer(result.stdout.strip())
    )
    assert_problem(other, 403)


@pytest.mark.parametrize(
    ("args", "needs"),
    [
        (["--role", "enterprise"], "--holder-id"),
        (["--role", "evaluator"], "--org-id"),
        (["--role", "emperor"], "emperor"),
    ],
)
def test_the_cli_refuses_a_token_it_could_not_make_valid(args, needs):
    result = _cli(*args)
    assert result.exit_code != 0
    assert needs in result.output
    assert "eyJ" not in result.output  # no token printed


# --- production: RS256 tokens from the identity provider's JWKS ------------------------------


class JwksServer:
    """A real HTTP server on 127.0.0.1 serving a JWKS document (changeable while it runs)."""

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                raw = outer.document
                body = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    return {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig"}


IDP_ISSUER = "https://idp.erenhot.gov.example"
IDP_AUDIENCE = "mineadmin-prod"
KID = "idp-2025"


@pytest.fixture(scope="module")
def idp_key() -> rsa.RSAPrivateKey:
    return _rsa_key()


@pytest.fixture
def jwks(idp_key) -> Iterator[JwksServer]:
    server = JwksServer()
    server.document = {"keys": [_jwk(idp_key, KID)]}
    yield server
    server.stop()


def production_service(database_url: str, jwks_url: str):
    """rights-api in production mode, verifying RS256 tokens against ``jwks_url``.

    The settings keep their Kafka default (production refuses the in-process broker); the app
    is handed an in-process broker object, which background=False never starts."""
    return running_service(
        SERVICE,
        database_url=database_url,
        broker=InProcessBroker(),
        background=False,
        mode="production",
        jwt_jwks_url=jwks_url,
        jwt_issuer=IDP_ISSUER,
        jwt_audience=IDP_AUDIENCE,
    )


def _idp_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": "zhang.san",
        "roles": ["bureau_reviewer"],
        "iss": IDP_ISSUER,
        "aud": IDP_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


def _rs256(key: rsa.RSAPrivateKey, kid: str | None = KID, **overrides: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(_idp_claims(**overrides), key, algorithm="RS256", headers=headers)


@pytest.fixture
async def production(databases, jwks):
    url = await databases.create("rights")
    async with production_service(url, jwks.url) as service:
        assert service.settings.mode == "production"
        assert service.settings.jwt_secret is None
        yield service


async def test_production_accepts_an_rs256_token_signed_by_the_identity_provider(
    production, idp_key, jwks
):
    response = await production.client.get("/holders", headers=bearer(_rs256(idp_key)))
    assert response.status_code == 200, response.text
    assert jwks.requests >= 1


async def test_production_refuses_hs256_tokens_signed_with_the_dev_secret(production, jwks):
    now = int(time.time())
    dev_secret = ServiceSettings().jwt_secret.get_secret_value()  # this installation's
    for headers in (None, {"kid": KID}):
        token = jwt.encode(_idp_claims(iat=now), dev_secret, algorithm="HS256", headers=headers)
        assert_problem(await production.client.get("/holders", headers=bearer(token)), 401)


async def test_production_refuses_a_token_signed_by_another_key(production, jwks):
    intruder = _rsa_key()
    for kid in (KID, "intruder", None):
        response = await production.client.get("/holders", headers=bearer(_rs256(intruder, kid)))
        assert_problem(response, 401)


async def test_production_still_checks_issuer_audience_and_expiry(production, idp_key):
    now = int(time.time())
    for overrides in (
        {"iss": "mineadmin-dev"},
        {"aud": "mineadmin"},
        {"exp": now - 60, "iat": now - 600},
        {"roles": ["enterprise"]},
    ):
        response = await production.client.get(
            "/holders", headers=bearer(_rs256(idp_key, **overrides))
        )
        assert_problem(response, 401)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/.well-known/jwks.json"


async def test_production_answers_401_when_the_jwks_server_is_down(databases, idp_key):
    url = await databases.create("rights")
    async with production_service(url, _closed_port_url()) as service:
        response = await service.client.get("/holders", headers=bearer(_rs256(idp_key)))
        problem = assert_problem(response, 401)
        assert "signing key" in problem["detail"].lower()


@pytest.mark.parametrize(
    "document",
    [{"keys": []}, b"<html>maintenance</html>", [1, 2], {"keys": [{"kty": "nope", "kid": KID}]}],
    ids=["no-keys", "not-json", "not-an-object", "unusable-key"],
)
async def test_production_answers_401_when_the_jwks_document_is_unusable(
    databases, jwks, idp_key, document
):
    jwks.document = document
    url = await databases.create("rights")
    async with production_service(url, jwks.url) as service:
        response = await service.client.get("/holders", headers=bearer(_rs256(idp_key)))
        assert_problem(response, 401)
