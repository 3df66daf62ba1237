"""A validly signed token whose claims have the wrong type is a 401 naming the claim, on every
service, never a 500: the principal is parsed once, strictly (servicekit.claims)."""

import time
import uuid
from typing import Any

import pytest
from servicekit.claims import ClaimMapping, ClaimsRefused, check_registered

from tests.conftest import in_process
from tests.servicekit.tokens import bearer, hs256

# a list route of each service that narrows what an enterprise sees to its own holder
LIST_ROUTES = {
    "rights": "/holders",
    "restoration": "/funds",
    "greenmine": "/applications",
    "notifier": "/events",
}


def signed(service, **overrides: Any) -> dict[str, str]:
    enterprise = {"sub": "enterprise-1", "roles": ["enterprise"], "holder_id": str(uuid.uuid4())}
    return bearer(hs256(service, **(enterprise | overrides)))


BAD_CLAIMS = {
    "exp-as-string": ({"exp": "9999999999"}, "exp"),
    "iat-as-string": ({"iat": str(int(time.time()))}, "iat"),
    "holder-id-list": ({"holder_id": [str(uuid.uuid4()), str(uuid.uuid4())]}, "holder_id"),
    "holder-id-credit-code": ({"holder_id": "91150100MA0N1XQW3K"}, "holder_id"),
    "holder-id-object": ({"holder_id": {"id": str(uuid.uuid4())}}, "holder_id"),
    "sub-number": ({"sub": 42}, "sub"),
}


@pytest.mark.parametrize("name", LIST_ROUTES)
async def test_badly_typed_claims_are_a_401_naming_the_claim_on_every_service(databases, name):
    async with in_process(databases, name) as service:
        answers = {}
        for case, (overrides, claim) in BAD_CLAIMS.items():
            response = await service.client.get(
                LIST_ROUTES[name], headers=signed(service, **overrides)
            )
            problem = response.json()
            answers[case] = (response.status_code, claim in problem.get("detail", "").lower())
        assert answers == dict.fromkeys(BAD_CLAIMS, (401, True))
        well_typed = await service.client.get(LIST_ROUTES[name], headers=signed(service))
        assert well_typed.status_code == 200, well_typed.text


async def test_an_anonymous_read_with_a_string_exp_is_a_401(rights):
    """The anonymous-read limiter verifies a token first; it too gets the parsed principal."""
    response = await rights.client.get("/rights", headers=signed(rights, exp="9999999999"))
    assert response.status_code == 401, response.text


def test_the_holder_claim_is_a_uuid_and_the_org_claim_an_identifier():
    holder = uuid.uuid4()
    mapping = ClaimMapping()
    assert mapping.holder_id({"holder_id": str(holder)}) == holder
    assert mapping.holder_id({"holder_id": [str(holder)]}) == holder  # Keycloak's attribute list
    assert mapping.org_id({"org_id": "nmg-lvkuang-pinggu"}) == "nmg-lvkuang-pinggu"
    for bad in ("a b", "x" * 65, 7):
        with pytest.raises(ClaimsRefused, match="org_id"):
            mapping.org_id({"org_id": bad})


@pytest.mark.parametrize(
    "claims",
    [{"sub": ""}, {"sub": "s", "exp": True}, {"sub": "s", "nbf": "1"}, {"sub": "s", "exp": None}],
)
def test_registered_claims_are_checked(claims):
    with pytest.raises(ClaimsRefused):
        check_registered(claims)
