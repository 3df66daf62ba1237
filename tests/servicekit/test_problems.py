"""Every error is RFC 9457 ``application/problem+json``: routing, validation, crashes, outages."""

import socket
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from fastapi import APIRouter
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.settings import ServiceSettings, service_config
from servicekit.spec import ServiceSpec
from sqlalchemy.engine import make_url

from tests.samples import PETROCHINA

PROBLEM_JSON = "application/problem+json"
SECRET_TEXT = "db-password=hunter2"


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:mineadmin:problem:")
    assert problem["title"]
    if slug is not None:
        assert problem["type"] == f"urn:mineadmin:problem:{slug}"
    return problem


# --- routing -------------------------------------------------------------------------------


async def test_an_unknown_route_is_a_404_problem_naming_method_and_path(rights):
    response = await rights.client.delete("/no/such/thing")
    problem = assert_problem(response, 404, "not-found")
    assert "DELETE" in problem["detail"]
    assert "/no/such/thing" in problem["detail"]
    assert problem["instance"] == "/no/such/thing"


async def test_an_unknown_docs_asset_is_a_404_problem_too(rights):
    response = await rights.client.get("/docs-assets/nope.js")
    assert_problem(response, 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/holders", {"GET", "POST"}),
        ("PUT", f"/holders/{uuid.uuid4()}", {"GET", "PATCH"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
async def test_a_wrong_method_is_a_405_problem_allowing_every_method_of_the_path(
    rights, method, path, allowed
):
    response = await rights.client.request(method, path, headers=rights.auth(Role.bureau_admin))
    problem = assert_problem(response, 405, "method-not-allowed")
    assert problem["instance"] == path
    assert set(response.headers["allow"].replace(" ", "").split(",")) == allowed
    for other in allowed:  # what Allow lists is really served
        answer = await rights.client.request(other, path, headers=rights.auth(Role.bureau_admin))
        assert answer.status_code != 405, (other, answer.text)


# --- validation ----------------------------------------------------------------------------


async def test_a_malformed_json_body_is_a_422_problem_listing_the_field(rights):
    response = await rights.client.post(
        "/holders",
        content=b'{"credit_code": "91110000710925462X", "name": ',
        headers={**rights.auth(Role.bureau_admin), "content-type": "application/json"},
    )
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"], problem
    assert all(e["field"].startswith("body") for e in problem["errors"])
    assert problem["errors"][0]["type"] == "json_invalid"
    assert problem["errors"][0]["message"]


async def test_a_missing_required_field_is_a_422_naming_body_name(rights):
    response = await rights.client.post(
        "/holders",
        json={"credit_code": "91110000710925462X"},
        headers=rights.auth(Role.bureau_admin),
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["body.name"]
    assert problem["errors"][0]["type"] == "missing"
    assert "body.name" in problem["detail"]


async def test_several_bad_fields_are_all_listed(rights):
    response = await rights.client.post(
        "/holders",
        json={"credit_code": 42, "name": "x" * 201},
        headers=rights.auth(Role.bureau_admin),
    )
    problem = assert_problem(response, 422, "validation-error")
    assert {e["field"] for e in problem["errors"]} == {"body.credit_code", "body.name"}


@pytest.mark.parametrize("limit", ["many", "0", "100000"])
async def test_a_bad_query_parameter_is_a_422_naming_query_limit(rights, limit):
    response = await rights.client.get(
        "/holders", params={"limit": limit}, headers=rights.auth(Role.bureau_admin)
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["query.limit"]


async def test_a_bad_path_parameter_is_a_422_naming_path_holder_id(rights):
    response = await rights.client.get("/holders/not-a-uuid", headers=rights.auth(Role.inspector))
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["path.holder_id"]


# --- a route that crashes ------------------------------------------------------------------

crash_router = APIRouter()


@crash_router.get("/crash")
async def crash() -> dict[str, Any]:
    raise RuntimeError(f"unexpected state while connecting with {SECRET_TEXT}")


@crash_router.get("/crash-key")
async def crash_key() -> dict[str, Any]:
    return {}["missing-" + SECRET_TEXT]


class CrashSettings(ServiceSettings):
    model_config = service_config("CRASH_")


CRASH = ServiceSpec(
    name="crash",
    title="crash 测试",
    description="Test-only service whose routes raise unexpected exceptions.",
    settings=CrashSettings,
    package="tests.servicekit",
    migrations=SERVICE.migrations,
    port=8998,
    routers=[crash_router],
)


@pytest.fixture
async def crashing(databases):
    url = await databases.create("rights")
    async with running_service(
        CRASH, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        # answers, not exceptions: what a real server would send to the client
        transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            service.client = client
            yield service


@pytest.mark.parametrize("path", ["/crash", "/crash-key"])
async def test_an_unexpected_exception_is_a_500_problem_that_tells_nothing_inside(crashing, path):
    response = await crashing.client.get(path)
    problem = assert_problem(response, 500, "internal-error")
    assert set(problem) <= {"type", "title", "status", "instance", "detail"}
    text = response.text
    for leak in (SECRET_TEXT, "hunter2", "Traceback", "RuntimeError", "KeyError", ".py", "line "):
        assert leak not in text


# --- the database is unreachable -------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def no_database():
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/x"
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        yield service


async def test_an_unreachable_database_is_a_503_problem_with_retry_after(no_database):
    response = await no_database.client.get("/holders", headers=no_database.auth(Role.inspector))
    problem = assert_problem(response, 503, "service-unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert "127.0.0.1" not in response.text and "postgres" not in response.text.lower()
    assert problem["instance"] == "/holders"


async def test_an_unreachable_database_is_a_503_for_writes_too(no_database):
    headers = no_database.auth(Role.bureau_admin)
    response = await no_database.client.post("/holders", json=PETROCHINA, headers=headers)
    assert_problem(response, 503, "service-unavailable")
    assert int(response.headers["retry-after"]) > 0


async def test_an_unreachable_database_is_a_503_with_an_idempotency_key(no_database):
    headers = {**no_database.auth(Role.bureau_admin), "Idempotency-Key": "k-1"}
    response = await no_database.client.post("/holders", json=PETROCHINA, headers=headers)
    assert_problem(response, 503, "service-unavailable")
    assert int(response.headers["retry-after"]) > 0


async def test_readyz_reports_the_database_down_while_healthz_stays_up(no_database):
    ready = await no_database.client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("down")
    # the public probe names the failure, never where the database lives
    assert "127.0.0.1" not in ready.text and "Errno" not in ready.text
    assert body["checks"]["broker"] == "ok"
    health = await no_database.client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


@pytest.fixture
async def closed_database(databases, pg):
    """The server is up but the service's database refuses connections (as for maintenance)."""
    url = await databases.create("rights")
    name = make_url(url).database
    admin = await asyncpg.connect(pg.dsn("postgres"))
    await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        async with running_service(
            SERVICE, database_url=url, broker=InProcessBroker(), background=False
        ) as service:
            yield service
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_a_database_refusing_connections_is_a_503_not_a_500(closed_database):
    service = closed_database
    listed = await service.client.get("/holders", headers=service.auth(Role.inspector))
    assert_problem(listed, 503, "service-unavailable")
    headers = {**service.auth(Role.bureau_admin), "Idempotency-Key": "k-1"}
    created = await service.client.post("/holders", json=PETROCHINA, headers=headers)
    assert_problem(created, 503, "service-unavailable")
    assert (await service.client.get("/readyz")).status_code == 503


async def test_readyz_is_200_when_everything_is_up(rights):
    ready = await rights.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


async def test_a_value_postgres_refuses_is_a_422_and_writes_nothing(rights):
    """NUL cannot be stored in PostgreSQL text; the route's validation let it through, so the
    database's refusal (SQLSTATE 22021) is answered as the client's mistake, never a 500."""
    admin = rights.auth(Role.bureau_admin)
    # (a name refuses control characters itself: servicekit.text.Name; a phone number does not)
    body = {**PETROCHINA, "contact_phone": "0479-7512345\x00"}
    response = await rights.client.post("/holders", json=body, headers=admin)
    problem = assert_problem(response, 422, "unprocessable")
    assert "cannot be stored" in problem["detail"]
    listed = await rights.client.get("/holders", headers=admin)
    assert listed.json()["items"] == []


async def test_an_id_beyond_bigint_is_a_422(rights):
    response = await rights.client.post(
        f"/admin/dead-letters/{2**70}/replay", headers=rights.auth(Role.bureau_admin)
    )
    assert_problem(response, 422)
