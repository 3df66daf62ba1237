"""Inspections from offline mobile apps: idempotent upload, the out-of-bounds flag 越界开采,
photos stored once per content hash with their real type, and who may see what."""

import asyncio
import hashlib
import uuid

import pytest
from servicekit.auth import Role

from tests.rights_api.operations_support import (
    INSIDE,
    JPEG,
    ON_EDGE,
    OUTSIDE,
    PDF,
    PNG,
    SMALL_LIMIT,
    events,
    make_right,
    rights_service,
    scalar,
)
from tests.samples import forged_cursor


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


def record(right, *points, findings="东帮采场作业面，挖掘机2台。") -> dict:
    return {
        "right_id": str(right.id),
        "inspected_at": "2026-06-12T10:30:00+08:00",
        "inspector_name": "巴特尔",
        "working_face": list(points or [INSIDE]),
        "findings": findings,
    }


async def put(rights, client_uuid, body, subject="inspector-1"):
    return await rights.client.put(
        f"/inspections/{client_uuid}",
        json=body,
        headers=rights.auth(Role.inspector, subject=subject),
    )


async def photo(rights, inspection_id, data, name="IMG_0001.jpg", ctype="image/jpeg", **auth):
    return await rights.client.post(
        f"/inspections/{inspection_id}/photos",
        files={"file": (name, data, ctype)},
        headers=rights.auth(Role.inspector, subject=auth.get("subject", "inspector-1")),
    )


async def test_a_replayed_upload_is_the_same_record_and_writes_nothing(rights):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    body = record(right)

    first = await put(rights, client_uuid, body)
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"/inspections/{client_uuid}"
    stored = first.json()
    assert stored["id"] == str(client_uuid)
    assert stored["inspector"] == "inspector-1"

    # the app retries: same body, keys in another order, the time in UTC notation
    reordered = dict(reversed(list(body.items())))
    reordered["inspected_at"] = "2026-06-12T02:30:00Z"
    for replay in (body, reordered):
        again = await put(rights, client_uuid, replay)
        assert again.status_code == 200, again.text
        assert again.json() == stored
    assert await scalar(rights, "SELECT count(*) FROM inspections") == 1
    [(type_, key, data)] = await events(rights)  # published once, by the first upload
    assert (type_, key) == ("rights.inspection.recorded", str(right.id))
    assert data["inspection_id"] == str(client_uuid)


async def test_the_same_record_arriving_twice_at_once_is_stored_once(rights):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    answers = await asyncio.gather(*(put(rights, client_uuid, record(right)) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.text for a in answers}) == 1
    assert await scalar(rights, "SELECT count(*) FROM inspections") == 1
    assert len(await events(rights)) == 1


async def test_a_conflicting_replay_is_refused_and_the_record_kept(rights):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    assert (await put(rights, client_uuid, record(right))).status_code == 201

    changed = await put(rights, client_uuid, record(right, findings="改过的检查情况"))
    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"
    assert "different body" in changed.json()["detail"]

    other_inspector = await put(rights, client_uuid, record(right), subject="inspector-2")
    assert other_inspector.status_code == 409
    assert "another inspector" in other_inspector.json()["detail"]

    kept = await rights.client.get(
        f"/inspections/{client_uuid}", headers=rights.auth(Role.bureau_reviewer)
    )
    assert kept.json()["findings"] == "东帮采场作业面，挖掘机2台。"
    assert await scalar(rights, "SELECT count(*) FROM inspections") == 1


@pytest.mark.parametrize(
    ("points", "flag", "outside"),
    [
        ([INSIDE], False, []),
        ([ON_EDGE], False, []),  # a point on the boundary line is inside the licence
        ([INSIDE, OUTSIDE], True, [1]),
        ([OUTSIDE, OUTSIDE, INSIDE], True, [0, 1]),
    ],
)
async def test_a_working_face_outside_the_licensed_boundary_is_flagged(
    rights, points, flag, outside
):
    right = await make_right(rights)
    response = await put(rights, uuid.uuid4(), record(right, *points))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["out_of_bounds"] is flag
    assert body["outside_points"] == outside
    assert body["violations"] == (["out_of_bounds_mining"] if flag else [])
    [(_, _, data)] = await events(rights, "rights.inspection.recorded")
    assert data["out_of_bounds"] is flag
    assert data["violations"] == body["violations"]

    flagged = await rights.client.get(
        "/inspections",
        params={"out_of_bounds": "true"},
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert [i["id"] for i in flagged.json()["items"]] == ([body["id"]] if flag else [])


async def test_without_a_boundary_on_record_nothing_is_flagged_but_nothing_is_claimed(rights):
    right = await make_right(rights, boundary=None)
    body = (await put(rights, uuid.uuid4(), record(right, OUTSIDE))).json()
    assert body["out_of_bounds"] is None
    assert body["outside_points"] is None
    assert body["violations"] == []


async def test_bad_records_are_422_naming_the_field(rights):
    right = await make_right(rights)
    unknown = await put(rights, uuid.uuid4(), {**record(right), "right_id": str(uuid.uuid4())})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.right_id"]

    bad_gps = await put(rights, uuid.uuid4(), record(right, {"lon": 111.93, "lat": 95}))
    assert bad_gps.status_code == 422
    assert bad_gps.json()["errors"][0]["field"] == "body.working_face.0.lat"

    naive = await put(rights, uuid.uuid4(), {**record(right), "inspected_at": "2026-06-12T10:30"})
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "body.inspected_at"

    no_points = await put(rights, uuid.uuid4(), {**record(right), "working_face": []})
    assert no_points.status_code == 422
    assert await scalar(rights, "SELECT count(*) FROM inspections") == 0


async def test_a_photo_is_stored_once_by_its_hash(rights, tmp_path):
    right = await make_right(rights)
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    for client_uuid in (first_id, second_id):
        assert (await put(rights, client_uuid, record(right))).status_code == 201
    sha = hashlib.sha256(JPEG).hexdigest()

    uploaded = await photo(rights, first_id, JPEG)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["sha256"] == sha
    assert uploaded.json()["media_type"] == "image/jpeg"
    assert uploaded.headers["location"] == f"/inspections/{first_id}/photos/{sha}"

    again = await photo(rights, first_id, JPEG, name="retry.jpg")  # the app's retry
    assert again.status_code == 200
    assert again.json()["sha256"] == sha
    elsewhere = await photo(rights, second_id, JPEG)  # the same picture on another record
    assert elsewhere.status_code == 201

    assert await scalar(rights, "SELECT count(*) FROM attachments") == 1
    assert await scalar(rights, "SELECT count(*) FROM inspection_photos") == 2
    files = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [sha]
    assert files[0].read_bytes() == JPEG

    shown = await rights.client.get(
        f"/inspections/{first_id}", headers=rights.auth(Role.bureau_reviewer)
    )
    assert [p["sha256"] for p in shown.json()["photos"]] == [sha]
    download = await rights.client.get(
        f"/inspections/{first_id}/photos/{sha}", headers=rights.auth(Role.bureau_reviewer)
    )
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert download.content == JPEG
    assert download.headers["content-disposition"] == f'attachment; filename="{sha}.jpg"'
    assert download.headers["x-content-type-options"] == "nosniff"

    # replaying the record itself after its photos changes nothing either
    replay = await put(rights, first_id, record(right))
    assert replay.status_code == 200
    assert [p["sha256"] for p in replay.json()["photos"]] == [sha]


async def test_the_type_comes_from_the_bytes_not_the_name(rights):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    await put(rights, client_uuid, record(right))

    png_named_jpg = await photo(rights, client_uuid, PNG, name="IMG_0002.jpg")
    assert png_named_jpg.status_code == 201
    assert png_named_jpg.json()["media_type"] == "image/png"

    for data, name, ctype in (
        (b"<html><script>alert(1)</script></html>", "IMG_0003.jpg", "image/jpeg"),
        (PDF, "scan.jpg", "image/jpeg"),  # a PDF is a document, not a photo
    ):
        refused = await photo(rights, client_uuid, data, name=name, ctype=ctype)
        assert refused.status_code == 415, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "image/jpeg" in refused.json()["accepted"]
    assert await scalar(rights, "SELECT count(*) FROM attachments") == 1


async def test_an_oversized_photo_is_413_and_leaves_nothing(rights, tmp_path):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    await put(rights, client_uuid, record(right))

    too_big = await photo(rights, client_uuid, JPEG + b"\x00" * SMALL_LIMIT)  # over the file limit
    assert too_big.status_code == 413
    assert too_big.json()["max_bytes"] == SMALL_LIMIT

    far_too_big = await photo(rights, client_uuid, JPEG + b"\x00" * (SMALL_LIMIT * 2))
    assert far_too_big.status_code == 413  # refused by the request ceiling, before reading
    assert far_too_big.headers["content-type"] == "application/problem+json"

    assert await scalar(rights, "SELECT count(*) FROM attachments") == 0
    assert not (tmp_path / "attachments").exists() or not any(
        p.is_file() for p in (tmp_path / "attachments").rglob("*")
    )


async def test_enterprises_see_only_their_own_mines_inspections(rights):
    mine = await make_right(rights, 1)
    other_mine = await make_right(rights, 2)
    mine_uuid, other_uuid = uuid.uuid4(), uuid.uuid4()
    await put(rights, mine_uuid, record(mine))
    await put(rights, other_uuid, record(other_mine))
    await photo(rights, other_uuid, JPEG)
    sha = hashlib.sha256(JPEG).hexdigest()
    own = rights.auth(Role.enterprise, holder_id=str(mine.holder_id))

    listed = await rights.client.get("/inspections", headers=own)
    assert [i["id"] for i in listed.json()["items"]] == [str(mine_uuid)]
    assert (await rights.client.get(f"/inspections/{mine_uuid}", headers=own)).status_code == 200
    for path in (f"/inspections/{other_uuid}", f"/inspections/{other_uuid}/photos/{sha}"):
        hidden = await rights.client.get(path, headers=own)
        assert hidden.status_code == 404, path
    filtered = await rights.client.get(
        "/inspections", params={"right_id": str(other_mine.id)}, headers=own
    )
    assert filtered.json()["items"] == []


async def test_only_inspectors_record_and_only_the_recorder_adds_photos(rights):
    right = await make_right(rights)
    client_uuid = uuid.uuid4()
    body = record(right)
    anonymous = await rights.client.put(f"/inspections/{client_uuid}", json=body)
    assert anonymous.status_code == 401
    for role, claims in (
        (Role.enterprise, {"holder_id": str(right.holder_id)}),
        (Role.bureau_reviewer, {}),
    ):
        refused = await rights.client.put(
            f"/inspections/{client_uuid}", json=body, headers=rights.auth(role, **claims)
        )
        assert refused.status_code == 403
    assert (await put(rights, client_uuid, body)).status_code == 201
    stranger = await photo(rights, client_uuid, JPEG, subject="inspector-2")
    assert stranger.status_code == 403
    missing = await photo(rights, uuid.uuid4(), JPEG)
    assert missing.status_code == 404
    assert await scalar(rights, "SELECT count(*) FROM inspection_photos") == 0
    assert (await rights.client.get("/inspections")).status_code == 401


async def test_an_unwritable_store_is_a_503_and_records_nothing(databases, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the store should be")
    async with rights_service(databases, blocked) as rights:
        right = await make_right(rights)
        client_uuid = uuid.uuid4()
        await put(rights, client_uuid, record(right))
        response = await photo(rights, client_uuid, JPEG)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "30"
        assert "attachment store" in response.json()["detail"]
        assert await scalar(rights, "SELECT count(*) FROM attachments") == 0


async def test_lists_page_by_cursor_and_refuse_a_forged_one(rights):
    right = await make_right(rights)
    sent = [uuid.uuid4() for _ in range(3)]
    for client_uuid in sent:
        await put(rights, client_uuid, record(right))
    reviewer = rights.auth(Role.bureau_reviewer)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await rights.client.get("/inspections", params=params, headers=reviewer)).json()
        seen += [i["id"] for i in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [str(u) for u in sent]

    forged = forged_cursor(["yesterday", "not-a-uuid"])
    for path in ("/inspections", "/filings", "/compliance-orders"):
        response = await rights.client.get(path, params={"cursor": forged}, headers=reviewer)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["field"] == "query.cursor"
