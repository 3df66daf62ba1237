"""Request bodies above MAX_BODY_BYTES are refused with 413 problem+json, never read whole."""

import pytest
from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from rights_api.app import SERVICE
from servicekit.auth import Role

from tests.samples import PETROCHINA

LIMIT = 300


@pytest.fixture
async def small_rights(databases):
    url = await databases.create("rights")
    async with running_service(
        SERVICE, database_url=url, broker=InProcessBroker(), background=False, max_body_bytes=LIMIT
    ) as service:
        yield service


def padded(size: int) -> bytes:
    """A valid holder whose JSON is exactly ``size`` bytes."""
    base = b'{"credit_code": "91110000710925462X", "name": "n", "address": ""}'
    return base[:-2] + b"x" * (size - len(base)) + b'"}'


async def holders(service) -> int:
    response = await service.client.get("/holders", headers=service.auth(Role.bureau_admin))
    return len(response.json()["items"])


@pytest.mark.parametrize("idempotency_key", [None, "k-1"])
async def test_a_declared_length_over_the_limit_is_refused(small_rights, idempotency_key):
    headers = {**small_rights.auth(Role.bureau_admin), "content-type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    response = await small_rights.client.post(
        "/holders", content=padded(LIMIT + 1), headers=headers
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mineadmin:problem:payload-too-large"
    assert await holders(small_rights) == 0


@pytest.mark.parametrize("idempotency_key", [None, "k-2"])
async def test_a_streamed_body_over_the_limit_is_refused_while_read(small_rights, idempotency_key):
    async def chunks():
        for _ in range(4):
            yield b" " * 100  # JSON whitespace: only the size can make this fail

    headers = {**small_rights.auth(Role.bureau_admin), "content-type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    response = await small_rights.client.post("/holders", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["type"] == "urn:mineadmin:problem:payload-too-large"
    assert await holders(small_rights) == 0


async def test_a_body_at_the_limit_is_accepted(small_rights):
    body = padded(LIMIT)
    assert len(body) == LIMIT
    response = await small_rights.client.post(
        "/holders",
        content=body,
        headers={**small_rights.auth(Role.bureau_admin), "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["credit_code"] == PETROCHINA["credit_code"]
