"""The matrix and its harness, checked without a database: every operation of every service
has exactly one row, and the harness fails when a route's check is missing or answers with the
wrong refusal (a green matrix would prove nothing otherwise)."""

import uuid
from typing import Annotated

import httpx
import pytest
from devkit.testing import RunningService
from fastapi import Depends, FastAPI
from servicekit.app import build_app
from servicekit.auth import Authenticator, Principal, Role, require
from servicekit.errors import NotFound, install_problem_handlers
from servicekit.services import installed_services
from servicekit.settings import ServiceSettings

from tests.security.harness import World, check_matrix, coverage, operations
from tests.security.matrix import (
    ADMIN,
    ENT_A,
    ENT_B,
    EVAL_B,
    PUBLIC,
    allow,
    greenmine,
    notifier,
    restoration,
    rights,
)

MATRICES = {
    "rights": rights.MATRIX,
    "restoration": restoration.MATRIX,
    "greenmine": greenmine.MATRIX,
    "notifier": notifier.MATRIX,
}
HOLDER_A, HOLDER_B = str(uuid.uuid4()), str(uuid.uuid4())  # holder ids are UUIDs in tokens


def service_app(name: str) -> FastAPI:
    spec = installed_services()[name]
    settings = spec.settings(database_url="postgresql+asyncpg://unused/unused")
    return build_app(spec, settings, background=False)


@pytest.mark.parametrize("name", MATRICES)
def test_every_operation_has_exactly_one_row(name):
    assert coverage(operations(service_app(name)), MATRICES[name]) == ([], [])


def test_a_new_route_or_a_stale_row_is_reported():
    app = service_app("notifier")

    @app.get("/new-route")
    async def new_route() -> dict:
        return {}

    matrix = {**notifier.MATRIX, "GET /gone": PUBLIC}
    assert coverage(operations(app), matrix) == (["GET /new-route"], ["GET /gone"])


def test_the_refusal_follows_the_row():
    row = allow(ADMIN, ENT_A, other=404)
    assert [row.expected(p) for p in ("anonymous", ADMIN, ENT_A, ENT_B, EVAL_B)] == [
        401,
        None,
        None,
        404,
        403,
    ]
    assert allow(ADMIN, refused=404).expected(ENT_B) == 404
    with pytest.raises(AssertionError, match="403 or a 404"):
        allow(ADMIN, ENT_A).expected(ENT_B)  # the other owner's answer must be decided


@pytest.fixture
async def tiny() -> RunningService:
    """Two routes for bureau admins and enterprises: one checks the owner, one forgets to."""
    settings = ServiceSettings()
    app = FastAPI()
    install_problem_handlers(app)
    app.state.authenticator = Authenticator(settings)
    Caller = Annotated[Principal, Depends(require(Role.bureau_admin, Role.enterprise))]

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str, caller: Caller) -> dict:
        if caller.own_holder not in (None, uuid.UUID(HOLDER_A)):
            raise NotFound(f"No thing {thing_id}.")
        return {"id": thing_id}

    @app.get("/leaky/{thing_id}")
    async def leaky(thing_id: str, caller: Caller) -> dict:
        return {"id": thing_id}

    @app.get("/everyone-sees-all")
    async def unscoped(caller: Caller) -> list[str]:
        return ["a-thing"]

    @app.get("/nobody-sees-anything")
    async def empty(caller: Caller) -> list[str]:
        return []

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield RunningService(app, client, settings, runtime=None)


def world_of(service: RunningService) -> World:
    return World(
        service,
        holder_a=HOLDER_A,
        holder_b=HOLDER_B,
        params={"thing_id": "t1"},
        secrets={ENT_A: {"a-thing"}},
    )


WELL = {  # rows the tiny app satisfies
    "GET /things/{thing_id}": allow(ADMIN, ENT_A, other=404),
    "GET /leaky/{thing_id}": allow(ADMIN, ENT_A, ENT_B),
    "GET /everyone-sees-all": allow(ADMIN, ENT_A, ENT_B),
    "GET /nobody-sees-anything": allow(ADMIN, ENT_A, ENT_B),
}


async def test_a_list_showing_another_owners_objects_or_none_of_ones_own_fails(tiny):
    await check_matrix(world_of(tiny), WELL)
    scoped = {
        **WELL,
        "GET /everyone-sees-all": allow(ADMIN, ENT_A, ENT_B, scoped=True),
        "GET /nobody-sees-anything": allow(ADMIN, ENT_A, ENT_B, scoped=True),
    }
    with pytest.raises(AssertionError) as failed:
        await check_matrix(world_of(tiny), scoped)
    assert str(failed.value).splitlines() == [
        "GET /everyone-sees-all as enterprise_b: 200 shows the owners' objects ['a-thing']",
        "GET /nobody-sees-anything as enterprise_a: 200 shows none of its own objects "
        "(so the scope proves nothing)",
    ]


async def test_a_missing_owner_check_fails_the_matrix(tiny):
    matrix = {**WELL, "GET /leaky/{thing_id}": allow(ADMIN, ENT_A, other=404)}
    with pytest.raises(AssertionError) as failed:
        await check_matrix(world_of(tiny), matrix)
    assert str(failed.value).splitlines() == [
        'GET /leaky/{thing_id} as enterprise_b: 200, expected 404: {"id":"t1"}'
    ]


async def test_a_wrong_refusal_or_a_missing_role_fails_the_matrix(tiny):
    matrix = {
        **WELL,
        "GET /things/{thing_id}": allow(ADMIN, ENT_A, other=403),  # it answers 404
        "GET /leaky/{thing_id}": allow(ADMIN),  # enterprises get in
    }
    with pytest.raises(AssertionError) as failed:
        await check_matrix(world_of(tiny), matrix)
    lines = str(failed.value).splitlines()
    assert lines[0].startswith("GET /things/{thing_id} as enterprise_b: 404, expected 403")
    assert [line.split(":")[0] for line in lines[1:]] == [
        "GET /leaky/{thing_id} as enterprise_a",
        "GET /leaky/{thing_id} as enterprise_b",
    ]
