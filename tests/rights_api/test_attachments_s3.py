"""Attachments in a real S3-compatible bucket: a photo uploaded through the API lands under its
hash and comes back through the API to whoever may read its inspection; a filing's attachment
is the holder's alone; the same bytes are stored once; a wrong type or size is refused before
anything is stored; a resumable upload ends in the bucket; an unreachable store is a 503."""

import hashlib
import os
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.doctor import Level, diagnose

from tests.rights_api.operations_support import (
    JPEG,
    PDF,
    PNG,
    SMALL_LIMIT,
    make_right,
    rights_service,
    scalar,
)
from tests.rights_api.s3_support import bucket, s3_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.production_shape
INSPECTOR = "inspector-1"


@pytest.fixture
async def rights(databases, tmp_path, bucket):  # noqa: F811
    async with rights_service(databases, tmp_path / "partials", **bucket.settings) as service:
        yield service


async def inspection(rights, right) -> str:
    client_uuid = str(uuid.uuid4())
    put = await rights.client.put(
        f"/inspections/{client_uuid}",
        json={
            "right_id": str(right.id),
            "inspected_at": "2026-06-12T10:30:00+08:00",
            "inspector_name": "巴特尔",
            "working_face": [{"lon": 111.932, "lat": 43.615}],
            "findings": "东帮采场作业面，挖掘机2台。",
        },
        headers=rights.auth(Role.inspector, subject=INSPECTOR),
    )
    assert put.status_code == 201, put.text
    return client_uuid


async def post_photo(rights, inspection_id: str, data: bytes):
    return await rights.client.post(
        f"/inspections/{inspection_id}/photos",
        files={"file": ("IMG_0001.jpg", data, "image/jpeg")},
        headers=rights.auth(Role.inspector, subject=INSPECTOR),
    )


async def test_a_photo_lands_in_the_bucket_under_its_hash_and_streams_back(rights, bucket):  # noqa: F811
    right = await make_right(rights)
    inspection_id = await inspection(rights, right)
    data = JPEG + os.urandom(SMALL_LIMIT - len(JPEG))  # as large as allowed: a whole chunk
    sha = hashlib.sha256(data).hexdigest()

    added = await post_photo(rights, inspection_id, data)
    assert added.status_code == 201, added.text
    assert added.json()["sha256"] == sha
    assert bucket.keys() == [f"attachments/{sha}"]
    assert bucket.read(f"attachments/{sha}") == (data, "image/jpeg")

    for reader in (
        rights.auth(Role.inspector, subject=INSPECTOR),
        rights.auth(Role.bureau_reviewer),
        rights.auth(Role.enterprise, holder_id=str(right.holder_id)),
    ):
        got = await rights.client.get(f"/inspections/{inspection_id}/photos/{sha}", headers=reader)
        assert got.status_code == 200, got.text
        assert got.content == data
        assert got.headers["content-type"] == "image/jpeg"
        assert got.headers["content-length"] == str(len(data))
        assert got.headers["etag"] == f'"{sha}"'

    other = await make_right(rights, 2)
    stranger = rights.auth(Role.enterprise, holder_id=str(other.holder_id))
    hidden = await rights.client.get(f"/inspections/{inspection_id}/photos/{sha}", headers=stranger)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"

    # an object lost from the bucket is a 404 that says so, not a 500
    bucket.client.delete_object(Bucket=bucket.name, Key=f"attachments/{sha}")
    lost = await rights.client.get(
        f"/inspections/{inspection_id}/photos/{sha}", headers=rights.auth(Role.bureau_reviewer)
    )
    assert lost.status_code == 404
    assert "missing from storage" in lost.json()["detail"]


async def test_the_same_bytes_twice_are_one_object(rights, bucket):  # noqa: F811
    right = await make_right(rights)
    first, second = await inspection(rights, right), await inspection(rights, right)
    assert (await post_photo(rights, first, PNG)).status_code == 201
    assert (await post_photo(rights, first, PNG)).status_code == 200  # already attached
    assert (await post_photo(rights, second, PNG)).status_code == 201  # another inspection
    assert bucket.keys() == [f"attachments/{hashlib.sha256(PNG).hexdigest()}"]
    assert await scalar(rights, "SELECT count(*) FROM attachments") == 1
    assert await scalar(rights, "SELECT count(*) FROM inspection_photos") == 2


async def test_a_wrong_type_or_size_is_refused_before_anything_is_stored(rights, bucket):  # noqa: F811
    right = await make_right(rights)
    inspection_id = await inspection(rights, right)
    not_a_photo = await post_photo(rights, inspection_id, PDF)
    assert not_a_photo.status_code == 415
    assert not_a_photo.headers["content-type"] == "application/problem+json"
    too_big = await post_photo(rights, inspection_id, JPEG + b"\x00" * SMALL_LIMIT)
    assert too_big.status_code == 413
    assert bucket.keys() == []
    assert await scalar(rights, "SELECT count(*) FROM attachments") == 0


async def test_a_filing_attachment_is_its_holders_alone(rights, bucket):  # noqa: F811
    right = await make_right(rights)
    other = await make_right(rights, 2)
    own = rights.auth(Role.enterprise, holder_id=str(right.holder_id))
    await rights.runtime.run_job("filing_obligations", now=datetime(2026, 6, 1, 2, tzinfo=UTC))
    listed = await rights.client.get(
        "/filings", params={"right_id": str(right.id), "kind": "annual_mining_plan"}, headers=own
    )
    assert listed.status_code == 200, listed.text
    filing = listed.json()["items"][0]["id"]
    sha = hashlib.sha256(PDF).hexdigest()

    added = await rights.client.post(
        f"/filings/{filing}/attachments",
        files={"file": ("report.pdf", PDF, "application/pdf")},
        data={"purpose": "plan_map"},
        headers=own,
    )
    assert added.status_code == 201, added.text
    assert bucket.read(f"attachments/{sha}") == (PDF, "application/pdf")

    url = f"/filings/{filing}/attachments/{sha}"
    got = await rights.client.get(url, headers=own)
    assert (got.status_code, got.content) == (200, PDF)
    stranger = rights.auth(Role.enterprise, holder_id=str(other.holder_id))
    assert (await rights.client.get(url, headers=stranger)).status_code == 404
    assert (await rights.client.get(url)).status_code in (401, 404)


async def start_upload(rights, inspection_id: str, length: int) -> str:
    created = await rights.client.post(
        f"/inspections/{inspection_id}/photo-uploads",
        headers={**tus(rights), "Upload-Length": str(length)},
    )
    assert created.status_code == 201, created.text
    return created.headers["location"]


async def patch(rights, location: str, offset: int, chunk: bytes):
    return await rights.client.patch(
        location,
        content=chunk,
        headers={
            **tus(rights),
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def tus(rights) -> dict:
    return {**rights.auth(Role.inspector, subject=INSPECTOR), "Tus-Resumable": "1.0.0"}


async def test_a_resumable_upload_keeps_its_chunks_in_the_bucket_until_done(rights, bucket):  # noqa: F811
    right = await make_right(rights)
    inspection_id = await inspection(rights, right)
    data = JPEG + os.urandom(30 * 1024)
    location = await start_upload(rights, inspection_id, len(data))
    upload_id = location.rsplit("/", 1)[1]
    half = len(data) // 2

    assert (await patch(rights, location, 0, data[:half])).status_code == 204
    # any replica sees the same offset: the chunk is in the bucket, not on one replica's disk
    assert bucket.keys() == [f"attachments/.uploads/{upload_id}/{0:012d}"]
    head = await rights.client.head(location, headers=tus(rights))
    assert head.headers["upload-offset"] == str(half)

    done = await patch(rights, location, half, data[half:])
    assert done.status_code == 204, done.text
    sha = hashlib.sha256(data).hexdigest()
    assert done.headers["upload-sha256"] == sha
    assert bucket.keys() == [f"attachments/{sha}"]  # the chunks are gone
    assert bucket.read(f"attachments/{sha}")[0] == data

    # an abandoned upload's chunks go with it when the purge takes it
    abandoned = await start_upload(rights, inspection_id, len(data))
    assert (await patch(rights, abandoned, 0, data[:half])).status_code == 204
    assert len(bucket.keys()) == 2
    later = datetime.now(UTC) + timedelta(hours=25)
    assert await rights.runtime.run_job("stale_photo_uploads", now=later) == 2
    assert bucket.keys() == [f"attachments/{sha}"]


async def test_an_unreachable_store_is_a_503_and_nothing_is_recorded(databases, tmp_path, bucket):  # noqa: F811
    closed = {**bucket.settings, "s3_endpoint_url": "http://127.0.0.1:9"}  # discard: refused
    async with rights_service(databases, tmp_path / "partials", **closed) as rights:
        right = await make_right(rights)
        inspection_id = await inspection(rights, right)
        refused = await post_photo(rights, inspection_id, JPEG)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "30"
        assert await scalar(rights, "SELECT count(*) FROM attachments") == 0


async def test_doctor_checks_the_bucket_and_names_one_it_cannot_use(databases, bucket):  # noqa: F811
    """`mineadmin doctor` reports the attachment store; /readyz leaves it out on purpose (the
    register keeps answering while only attachments are refused)."""
    url = await databases.create("rights")

    async def store_findings(**settings) -> list[tuple[Level, str]]:
        config = SERVICE.settings(database_url=url, broker="inprocess", **settings)
        findings = await diagnose(SERVICE, config, today=date(2026, 12, 6))
        return [(f.level, f.detail) for f in findings if f.check == "attachment store"]

    [(level, detail)] = await store_findings(**bucket.settings)
    assert (level, detail) == (
        Level.ok,
        f"bucket {bucket.name} at {bucket.settings['s3_endpoint_url']}",
    )

    [(level, detail)] = await store_findings(**{**bucket.settings, "s3_bucket": "no-such-bucket"})
    assert level is Level.fail and "no-such-bucket" in detail

    closed = {**bucket.settings, "s3_endpoint_url": "http://127.0.0.1:9"}
    [(level, detail)] = await store_findings(**closed)
    assert level is Level.fail and "127.0.0.1:9" in detail
