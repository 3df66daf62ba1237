"""An identity provider that names an enterprise by its unified social credit code 统一社会信用代码
(``jwt_holder_credit_code_claim``): the caller is the holder registered with that code. rights-api
finds it in its own database; another service asks rights-api over HTTP."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from devkit.testing import RunningService
from servicekit.auth import Role
from servicekit.errors import Unauthorized

from tests.conftest import in_process
from tests.notifier.support import serving
from tests.rights_api.support import SCJ001, SCJ003, add_right, holder
from tests.samples import credit_code
from tests.servicekit.tokens import bearer, hs256

CLAIM = "tax_id"  # where the provider puts the credit code


def token(service: RunningService, role: str = "enterprise", **extra: Any) -> dict[str, str]:
    return bearer(hs256(service, sub="user-of-the-enterprise", roles=[role], **extra))


@pytest.fixture
async def rights(databases) -> AsyncIterator[RunningService]:
    async with in_process(databases, "rights", jwt_holder_credit_code_claim=CLAIM) as service:
        yield service


async def test_a_credit_code_token_sees_its_holders_objects_and_nothing_else(rights):
    own, other = await holder(rights, 1), await holder(rights, 2)
    own_right = await add_right(rights, own, at=SCJ001)
    other_right = await add_right(rights, other, at=SCJ003)
    caller = token(rights, **{CLAIM: credit_code(1)})

    holders = await rights.client.get("/holders", headers=caller)
    assert holders.status_code == 200, holders.text
    assert [h["id"] for h in holders.json()["items"]] == [own]
    listed = await rights.client.get("/rights", headers=caller)
    assert [r["id"] for r in listed.json()["items"]] == [own_right["id"]]
    assert (await rights.client.get(f"/rights/{own_right['id']}", headers=caller)).is_success
    hidden = await rights.client.get(f"/rights/{other_right['id']}", headers=caller)
    assert hidden.status_code == 404
    staff = await rights.client.get("/holders", headers=token(rights, "bureau_reviewer"))
    assert len(staff.json()["items"]) == 2


async def test_a_credit_code_that_names_no_holder_is_a_401_naming_it(rights):
    await holder(rights, 1)
    unknown = await rights.client.get("/holders", headers=token(rights, **{CLAIM: credit_code(7)}))
    assert unknown.status_code == 401, unknown.text
    assert credit_code(7) in unknown.json()["detail"]
    assert CLAIM in unknown.json()["detail"]
    malformed = await rights.client.get("/holders", headers=token(rights, **{CLAIM: "12345"}))
    assert malformed.status_code == 401
    assert CLAIM in malformed.json()["detail"]


async def test_without_the_credit_code_the_holder_claim_still_serves(rights):
    own = await holder(rights, 1)
    caller = rights.auth(Role.enterprise, holder_id=own)
    holders = await rights.client.get("/holders", headers=caller)
    assert [h["id"] for h in holders.json()["items"]] == [own]


async def test_another_service_asks_rights_api_and_remembers_the_answer(rights, databases):
    own = await holder(rights, 1)
    async with serving(rights.app) as rights_url:  # as another service reaches it
        async with in_process(
            databases,
            "restoration",
            jwt_holder_credit_code_claim=CLAIM,
            peers={"rights": rights_url},
        ) as restoration:
            caller = token(restoration, **{CLAIM: credit_code(1)})
            funds = await restoration.client.get("/funds", headers=caller)
            assert funds.status_code == 200, funds.text

            authenticator = restoration.app.state.authenticator
            bearer = caller["Authorization"].removeprefix("Bearer ")
            assert (await authenticator.authenticate(bearer)).holder_id == uuid.UUID(own)
            # the holder found is remembered: found again with rights-api gone
            authenticator._verified.clear()
            restoration.settings.peers["rights"] = "http://127.0.0.1:9"
            assert (await authenticator.authenticate(bearer)).holder_id == uuid.UUID(own)

            restoration.settings.peers["rights"] = rights_url
            unknown = token(restoration, **{CLAIM: credit_code(8)})
            refused = await restoration.client.get("/funds", headers=unknown)
            assert refused.status_code == 401, refused.text
            assert credit_code(8) in refused.json()["detail"]
            with pytest.raises(Unauthorized):
                await authenticator.authenticate(unknown["Authorization"].split()[1])
