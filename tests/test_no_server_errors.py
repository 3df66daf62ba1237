"""Never a 500: every operation of every service, fed generated input (schemathesis) from its
own OpenAPI document as a bureau admin on a seeded database, answers without a server error.

The generation is derandomized, so a run is reproducible and a failure names the operation and
the request. Server-sent-event streams are left out (they never end)."""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NOT_SET
from servicekit.auth import Role
from servicekit.seed import seed

# generated GeoJSON carries absurd optional bboxes; geojson-pydantic warns about each one
pytestmark = pytest.mark.filterwarnings("ignore:BBOX crossing the Antimeridian:UserWarning")

EXAMPLES_PER_OPERATION = 25
STREAMS = {"/inbox/stream"}


def generated_cases(app) -> list:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in STREAMS:
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def collect(case) -> None:
            cases.append(case)

        collect()
    return cases


async def assert_no_server_errors(service) -> None:
    await seed(service.runtime.spec, service.runtime.db)
    admin = service.auth(Role.bureau_admin)
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    failures = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for case in generated_cases(service.app):
            headers = {k: str(v) for k, v in (case.headers or {}).items()} | admin
            body = None if case.body is NOT_SET else case.body
            json_body = body if case.media_type in (None, "application/json") else None
            response = await client.request(
                case.method,
                case.formatted_path,
                params=case.query,
                json=json_body,
                headers=headers,
            )
            if response.status_code >= 500:
                failures.setdefault(
                    f"{case.method} {case.operation.path}",
                    f"{response.status_code}: query={case.query!r} body={body!r}"[:500],
                )
    assert failures == {}


async def test_rights_api(rights):
    await assert_no_server_errors(rights)


async def test_restoration_api(restoration):
    await assert_no_server_errors(restoration)


async def test_greenmine_api(greenmine):
    await assert_no_server_errors(greenmine)


async def test_notifier(notifier):
    await assert_no_server_errors(notifier)
