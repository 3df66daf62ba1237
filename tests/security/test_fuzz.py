"""Fuzzing with conformance: every operation of every service, fed input schemathesis generates
from the service's own OpenAPI document, answers without a server error and as documented:
a status code the operation lists, the content type it lists for that code, and a body matching
its schema (schemathesis' own checks).

Each service runs in-process on a seeded database. Valid requests are sent as a bureau admin and
again as an enterprise (so the ownership paths run too); invalid ones (schemathesis' negative
mode: wrong types, missing fields, values out of bounds) as the bureau admin, whom nothing but
the input can stop. Generation is derandomized: a run is reproducible, and a failure names the
operation, the check and the request. Server-sent-event streams are left out (they never end).
"""

import uuid

import httpx
import pytest
import requests
import schemathesis
from devkit.testing import RunningService
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from servicekit.auth import Role
from servicekit.seed import seed
from sqlalchemy import text

from tests.restoration_api.support import granted, record_of

# generated GeoJSON carries absurd optional bboxes; geojson-pydantic warns about each one
pytestmark = pytest.mark.filterwarnings("ignore:BBOX crossing the Antimeridian:UserWarning")

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 8}  # per operation
STREAMS = {"/inbox/stream"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BASE_URL = "http://testserver"
# tus chunks (rights-api's resumable photo uploads) are raw bytes under tus's own media type
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def generated_cases(app, mode: GenerationMode) -> list[schemathesis.Case]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in STREAMS:
            continue

        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy(generation_mode=mode))
        def collect(case) -> None:
            cases.append(case)

        try:
            collect()
        except Unsatisfiable:  # negative mode, and nothing about the operation can be wrong
            assert mode is GenerationMode.NEGATIVE, operation.label
    return cases


def as_httpx(case: schemathesis.Case, headers: dict[str, str]) -> httpx.Request:
    """The request schemathesis would send (its own serialization: JSON, forms, multipart)."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return httpx.Request(prepared.method, prepared.url, headers=prepared.headers, content=body)


async def fuzz(service: RunningService) -> None:
    await seed(service.runtime.spec, service.runtime.db)
    admin = service.auth(Role.bureau_admin)
    enterprise = service.auth(Role.enterprise, holder_id=await a_holder(service))
    valid = generated_cases(service.app, GenerationMode.POSITIVE)
    invalid = generated_cases(service.app, GenerationMode.NEGATIVE)
    sends = [(c, admin) for c in valid] + [(c, enterprise) for c in valid]
    sends += [(c, admin) for c in invalid]
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    failures: dict[str, str] = {}
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for case, token in sends:
            response = await client.send(as_httpx(case, token))
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    where = f"{case.method} {case.operation.path} [{failure.title}]"
                    failures.setdefault(where, f"{failure.message}\n{case.as_curl_command()}")
    assert failures == {}, "\n".join(f"{k}: {v[:800]}" for k, v in sorted(failures.items()))


async def a_holder(service: RunningService) -> str:
    """rights-api: a seeded holder. The others: a holder whose mine they have just heard granted
    (rights-api's event, beside another holder's), so lists have items to show and to check."""
    async with service.runtime.db.transaction() as session:
        if (await session.exec(text("SELECT to_regclass('holders')"))).scalar_one():
            holders = "SELECT id FROM holders ORDER BY id LIMIT 1"
            return str((await session.exec(text(holders))).scalar_one())
    holder = uuid.uuid4()
    for consumer in service.runtime.consumers.values():
        for mine in (granted(holder_id=holder), granted()):
            outcome = await consumer.process(record_of(mine, str(mine.right_id)))
            assert outcome.status == "applied", outcome
    return str(holder)


async def test_rights_api(rights):
    await fuzz(rights)


async def test_restoration_api(restoration):
    await fuzz(restoration)


async def test_greenmine_api(greenmine):
    await fuzz(greenmine)


async def test_notifier(notifier):
    await fuzz(notifier)
