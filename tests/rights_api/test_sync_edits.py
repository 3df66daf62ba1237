"""Edits of inspection records from offline apps: each names the version it was based on; a
stale one is a 409 showing both versions; a resent edit is not a conflict; the first upload
stays idempotent."""

import uuid

import pytest
from servicekit.auth import Role

from tests.rights_api.operations_support import OUTSIDE, events, make_right, rights_service
from tests.rights_api.sync_support import BATU, SARNA, assign, record, sync


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


async def edit(rights, inspection_id, body, subject=BATU, role=Role.inspector):
    return await rights.client.patch(
        f"/inspections/{inspection_id}", json=body, headers=rights.auth(role, subject=subject)
    )


async def test_an_edit_on_a_stale_version_is_a_409_with_both_versions(rights):
    right = await make_right(rights)
    await assign(rights, right.id)
    client_uuid = str(uuid.uuid4())
    original = record(right.id)
    put = await rights.client.put(
        f"/inspections/{client_uuid}",
        json=original,
        headers=rights.auth(Role.inspector, subject=BATU),
    )
    assert put.status_code == 201 and put.json()["version"] == 1
    token = (await sync(rights)).json()["token"]

    # the phone edits version 1 (offline), and so does the tablet
    phone = {"base_version": 1, "findings": "补记：东南角排土场边坡有裂缝，需复查。"}
    tablet = {"base_version": 1, "working_face": [OUTSIDE]}
    first = await edit(rights, client_uuid, phone)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2 and first.json()["findings"] == phone["findings"]
    assert first.json()["updated_at"] is not None

    # the phone did not hear the answer and sends the same edit again: no conflict, no change
    resent = await edit(rights, client_uuid, phone)
    assert resent.status_code == 200 and resent.json()["version"] == 2

    stale = await edit(rights, client_uuid, tablet)
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    problem = stale.json()
    assert problem["sent"] == tablet  # as sent
    assert problem["current"]["version"] == 2
    assert problem["current"]["findings"] == phone["findings"]
    assert problem["current"]["out_of_bounds"] is False

    # merged on the current version, the tablet's edit goes through and is checked again
    merged = await edit(rights, client_uuid, {**tablet, "base_version": 2})
    assert merged.status_code == 200, merged.text
    assert merged.json()["version"] == 3
    assert merged.json()["out_of_bounds"] is True
    assert merged.json()["violations"] == ["out_of_bounds_mining"]
    published = await events(rights, "rights.inspection.edited")
    assert [(d["version"], d["changed"]) for _, _, d in published] == [
        (2, ["findings"]),
        (3, ["working_face"]),
    ]
    assert published[-1][2]["out_of_bounds"] is True

    # the first upload stays idempotent: the same body answers the record as it now is
    replay = await rights.client.put(
        f"/inspections/{client_uuid}",
        json=original,
        headers=rights.auth(Role.inspector, subject=BATU),
    )
    assert replay.status_code == 200 and replay.json()["version"] == 3

    # the app's next sync carries the edited record
    delta = (await sync(rights, since=token)).json()
    assert [(i["id"], i["version"]) for i in delta["inspections"]] == [(client_uuid, 3)]


async def test_edit_refusals(rights):
    right = await make_right(rights)
    client_uuid = str(uuid.uuid4())
    put = await rights.client.put(
        f"/inspections/{client_uuid}",
        json=record(right.id),
        headers=rights.auth(Role.inspector, subject=BATU),
    )
    assert put.status_code == 201
    change = {"base_version": 1, "findings": "补记"}
    assert (await edit(rights, client_uuid, change, subject=SARNA)).status_code == 403
    enterprise = await rights.client.patch(
        f"/inspections/{client_uuid}",
        json=change,
        headers=rights.auth(Role.enterprise, holder_id=str(right.holder_id)),
    )
    assert enterprise.status_code == 403
    assert (await edit(rights, uuid.uuid4(), change)).status_code == 404
    for body, field in (
        ({"findings": "补记"}, "body.base_version"),
        ({"base_version": 1}, "body"),
        ({"base_version": 1, "findings": None}, "body"),
        ({"base_version": 0, "findings": "补记"}, "body.base_version"),
    ):
        refused = await edit(rights, client_uuid, body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field, refused.json()
    after = await rights.client.get(
        f"/inspections/{client_uuid}", headers=rights.auth(Role.bureau_admin)
    )
    assert after.json()["version"] == 1 and after.json()["findings"] != "补记"
