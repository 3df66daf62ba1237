"""The OpenAPI documents say what the services do (issue 22, item 10), and a PATCH that sets a
required field to null is the client's mistake (item 9): each rule held by servicekit for every
route, checked here on real routes of real services."""

import re
import uuid

import pytest
from servicekit import pagination
from servicekit.auth import Role
from servicekit.services import installed_services

from tests.rights_api.support import holder
from tests.servicekit.test_docs import app_for

PROBLEM_JSON = "application/problem+json"


def document(name: str) -> dict:
    return app_for(installed_services()[name]).openapi()


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method, path, op


def test_public_routes_need_no_token_and_say_so():
    """Swagger UI draws no lock only for `security: [{}]`: the answer is the same for anyone.
    A token is offered beside `{}` only where it shows more (staff see drafts)."""
    rights = document("rights")["paths"]
    assert rights["/zones"]["get"]["security"] == [{}]
    assert rights["/plan-editions/current"]["get"]["security"] == [{}]
    assert rights["/ogc/collections"]["get"]["security"] == [{}]
    assert rights["/plan-editions"]["get"]["security"][0] == {}
    assert {"HTTPBearer": []} in rights["/plan-editions"]["get"]["security"]
    assert {"HTTPBearer": []} in rights["/holders"]["get"]["security"]
    assert {} not in rights["/holders"]["get"]["security"]
    restoration = document("restoration")["paths"]
    assert restoration["/disclosures/{right_id}"]["get"]["security"] == [{}]


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_if_match_is_required_where_428_answers_without_it(name):
    found = 0
    for method, path, op in operations(document(name)):
        for parameter in op.get("parameters", []):
            if parameter["name"] != "If-Match":
                continue
            found += 1
            assert parameter["required"] is ("428" in op["responses"]), f"{method} {path}"
    if name != "restoration":
        assert found, name


async def test_a_missing_if_match_is_428_before_anything_else(rights):
    admin = rights.auth(Role.bureau_admin)
    holder_id = await holder(rights, 1)
    answer = await rights.client.patch(
        f"/holders/{holder_id}", json={"contact_name": "王工"}, headers=admin
    )
    assert answer.status_code == 428, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_cursors_and_ids_carry_their_pattern(name):
    for method, path, op in operations(document(name)):
        for parameter in op.get("parameters", []):
            schema = parameter["schema"]
            if parameter["name"] == "cursor" and parameter["in"] == "query":
                options = schema.get("anyOf", [schema])
                assert options[0]["pattern"] == pagination.CURSOR_PATTERN, f"{method} {path}"
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                if schema.get("type") == "string":
                    shaped = schema.get("format") == "uuid" or "pattern" in schema
                    assert shaped or "maxLength" in schema, (
                        f"{method} {path} {parameter['name']}: {schema}"
                    )


def test_a_signed_cursor_matches_the_documented_pattern():
    cursor = pagination.encode_cursor(
        ["2026-01-01T00:00:00+00:00", "x" * 36], key=b"k", scope="/holders"
    )
    assert re.match(pagination.CURSOR_PATTERN, cursor)


@pytest.mark.parametrize("given", ["0", "1", "20250101", "1735689600", "-1"])
async def test_a_date_in_the_query_is_never_a_number(notifier, given):
    answer = await notifier.client.get(
        "/deadlines", params={"due_to": given}, headers=notifier.auth(Role.bureau_admin)
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["query.due_to"]


async def test_a_date_in_a_query_model_is_never_a_number(rights):
    answer = await rights.client.get(
        "/rights", params={"expiring_before": "20250101"}, headers=rights.auth(Role.bureau_admin)
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["query.expiring_before"]


async def test_a_datetime_in_the_query_is_never_a_number(notifier):
    answer = await notifier.client.post(
        "/admin/jobs/reminder-sweep/run",
        params={"now": "1"},
        headers=notifier.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["query.now"]


async def test_an_iso_date_still_reads(notifier):
    answer = await notifier.client.get(
        "/deadlines", params={"due_to": "2025-01-01"}, headers=notifier.auth(Role.bureau_admin)
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("given", [1798761600, "1798761600", 20270101])  # 1798761600: 2027-01-01
async def test_a_date_in_a_body_is_never_a_number(notifier, given):
    answer = await notifier.client.put(
        "/admin/calendar/2027",
        json={"holidays": [{"day": given, "name": "元旦"}], "workdays": []},
        headers=notifier.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    assert "body.holidays.0.day" in [e["field"] for e in answer.json()["errors"]]


async def test_a_405_lists_the_methods_allowed_as_a_problem(rights):
    doc = document("rights")
    for path, methods in {"/zones": {"GET"}, "/holders": {"GET", "POST"}}.items():
        assert {m.upper() for m in doc["paths"][path]} == methods
        answer = await rights.client.request("PUT", path, json={})
        assert answer.status_code == 405, answer.text
        assert answer.headers["content-type"] == PROBLEM_JSON
        assert set(answer.headers["allow"].split(", ")) == methods, answer.headers["allow"]


async def test_patch_null_on_a_required_field_is_422_naming_it(rights):
    admin = rights.auth(Role.bureau_admin)
    holder_id = await holder(rights, 2)
    answer = await rights.client.patch(
        f"/holders/{holder_id}", json={"name": None}, headers={**admin, "If-Match": '"1"'}
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert [e["field"] for e in answer.json()["errors"]] == ["body.name"]
    # a nullable field still clears
    answer = await rights.client.patch(
        f"/holders/{holder_id}", json={"contact_email": None}, headers={**admin, "If-Match": '"1"'}
    )
    assert answer.status_code == 200, answer.text


async def test_a_literal_segment_owns_its_path_for_every_method(rights):
    """`PATCH /plan-editions/current` is not the PATCH of `{edition_id}`: 405, Allow: GET."""
    admin = rights.auth(Role.bureau_admin)
    for method, path, allowed in [
        ("PATCH", "/plan-editions/current", {"GET"}),
        ("GET", "/applications/check", {"POST"}),
    ]:
        answer = await rights.client.request(method, path, json={}, headers=admin)
        assert answer.status_code == 405, (method, path, answer.text)
        assert set(answer.headers["allow"].split(", ")) == allowed, answer.headers["allow"]


async def test_allow_lists_what_the_document_lists_for_the_path(rights):
    doc = document("rights")
    methods = {m.upper() for m in doc["paths"]["/inspections/{inspection_id}"]}
    assert methods == {"GET", "PUT", "PATCH"}
    answer = await rights.client.delete(f"/inspections/{uuid.uuid4()}")
    assert answer.status_code == 405, answer.text
    assert set(answer.headers["allow"].split(", ")) == methods


async def test_an_empty_if_match_is_428_not_412(rights):
    holder_id = await holder(rights, 3)
    answer = await rights.client.patch(
        f"/holders/{holder_id}",
        json={"contact_name": "王工"},
        headers={**rights.auth(Role.bureau_admin), "If-Match": ""},
    )
    assert answer.status_code == 428, answer.text


def test_an_extension_member_never_replaces_the_status():
    from servicekit.errors import Conflict

    problem = Conflict("Right is revoked", status="revoked", right_status="revoked").problem()
    assert problem["status"] == 409
    assert problem["right_status"] == "revoked"


@pytest.mark.parametrize("given", [False, True])
async def test_a_number_in_a_body_is_never_true_or_false(rights, given):
    """Pydantic reads JSON's false as 0 for an int field: the schema says integer, so a 422."""
    answer = await rights.client.post(
        "/plan-editions",
        json={
            "code": "2031-2035",
            "rules": {"borrow_pit_max_years": given, "required_documents": []},
        },
        headers=rights.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    assert "body.rules.borrow_pit_max_years" in [e["field"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_no_operation_takes_its_media_type_as_a_free_header(name):
    """OpenAPI ignores a `Content-Type` header parameter; documented as any string, a client
    (schemathesis did) sends `content-type: null` as valid. The body's media types say it."""
    for path, item in document(name)["paths"].items():
        for method, operation in item.items():
            headers = {
                p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"
            }
            assert "content-type" not in headers, (method, path)


@pytest.mark.parametrize("given", [0, 1, "true"])
async def test_a_flag_in_a_body_is_never_a_number_or_text(rights, given):
    """Pydantic reads 0, 1 or "true" as a bool: the schema says boolean, so a 422."""
    block = {"id": "KQ-99", "illustrative": given}
    answer = await rights.client.post(
        "/plan-editions",
        json={"code": "2031-2035", "planned_blocks": [block]},
        headers=rights.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    assert "body.planned_blocks.0.illustrative" in [e["field"] for e in answer.json()["errors"]]


async def test_a_number_in_a_list_is_never_true_or_false(rights):
    """Coordinates are lists of numbers: `false` among them would be read as 0."""
    ring = [[111.95, False], [111.96, 43.62], [111.96, 43.63], [111.95, 43.62]]
    block = {"id": "KQ-99", "boundary": {"type": "Polygon", "coordinates": [ring]}}
    answer = await rights.client.post(
        "/plan-editions",
        json={"code": "2031-2035", "planned_blocks": [block]},
        headers=rights.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    fields = [e["field"] for e in answer.json()["errors"]]
    assert "body.planned_blocks.0.boundary.coordinates.0.0.1" in fields, fields


@pytest.mark.parametrize("given", [False, "2"])
async def test_an_integer_in_a_mapping_is_never_true_or_false_or_text(rights, given):
    """`planned_new_rights.by_mineral` maps minerals to counts: pydantic read false as 0 and
    "2" as 2; the schema says integer."""
    plan = {"total": 5, "by_mineral": {"construction_granite": given}}
    answer = await rights.client.post(
        "/plan-editions",
        json={"code": "2031-2035", "planned_new_rights": plan},
        headers=rights.auth(Role.bureau_admin),
    )
    assert answer.status_code == 422, answer.text
    fields = [e["field"] for e in answer.json()["errors"]]
    assert "body.planned_new_rights.by_mineral.construction_granite" in fields, fields
