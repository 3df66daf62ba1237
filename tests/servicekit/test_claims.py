"""The provider's claims read as a caller (servicekit.claims): roles at a dotted path, mapped
role names, holder and organisation claims."""

import uuid

import pytest
from servicekit.claims import ClaimMapping, ClaimsRefused, claim_at
from servicekit.settings import Role

KEYCLOAK = ClaimMapping(
    roles_claim="realm_access.roles",
    role_map={"mineadmin-enterprise": Role.enterprise, "mineadmin-gov-system": Role.gov_system},
    holder_claim="attributes.holder_id",
)


def test_roles_at_a_dotted_path_are_mapped_and_the_providers_own_ignored():
    claims = {"realm_access": {"roles": ["offline_access", "mineadmin-gov-system"]}}
    assert KEYCLOAK.roles(claims) == {Role.gov_system}


def test_a_token_with_no_mapped_role_is_refused():
    with pytest.raises(ClaimsRefused, match="no role"):
        KEYCLOAK.roles({"realm_access": {"roles": ["offline_access"]}})
    with pytest.raises(ClaimsRefused, match="no role"):
        KEYCLOAK.roles({})


def test_without_a_map_every_role_must_be_known():
    assert ClaimMapping().roles({"roles": "inspector"}) == {Role.inspector}
    with pytest.raises(ClaimsRefused, match="Unknown role"):
        ClaimMapping().roles({"roles": ["inspector", "root"]})
    with pytest.raises(ClaimsRefused, match="list of role names"):
        ClaimMapping().roles({"roles": {"inspector": True}})


def test_holder_claim_from_a_nested_attribute_list():
    holder = uuid.uuid4()
    claims = {"attributes": {"holder_id": [str(holder)]}}
    assert KEYCLOAK.holder_id(claims) == holder
    assert KEYCLOAK.holder_id({}) is None
    with pytest.raises(ClaimsRefused, match="single identifier"):
        KEYCLOAK.holder_id({"attributes": {"holder_id": [str(holder), str(uuid.uuid4())]}})
    with pytest.raises(ClaimsRefused, match=r"attributes\.holder_id claim must be a UUID"):
        KEYCLOAK.holder_id({"attributes": {"holder_id": ["h-1"]}})


def test_claim_at_stops_at_a_non_object():
    assert claim_at({"a": "text"}, "a.b") is None
    assert claim_at({"a": {"b": 1}}, "a.b") == 1
