"""Resumable photo uploads (tus 1.0), driven by the tus project's own Python client (tuspy)
against the service on a real socket: an upload cut off at half, including a chunk whose
connection drops mid-body, resumes where it stopped and becomes an ordinary content-addressed
photo; unfinished uploads are purged; only whoever started an upload continues it."""

import asyncio
import base64
import hashlib
import io
import os
import socket
import time
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import uvicorn
from servicekit import clock
from servicekit.auth import Role
from tusclient.client import TusClient

from tests.rights_api.operations_support import JPEG, PDF, make_right, rights_service
from tests.rights_api.sync_support import BATU, SARNA, record

LIMIT = 512 * 1024
CHUNK = 48 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(
        databases, tmp_path / "attachments", attachment_max_bytes=LIMIT
    ) as service:
        yield service


@asynccontextmanager
async def served(app):
    """The app on a real loopback port (its lifespan is already running)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


def photo(size: int = 300 * 1024) -> bytes:
    return JPEG[:20] + os.urandom(size - 20)


async def inspection(rights, subject: str = BATU) -> str:
    right = await make_right(rights)
    client_uuid = str(uuid.uuid4())
    put = await rights.client.put(
        f"/inspections/{client_uuid}",
        json=record(right.id),
        headers=rights.auth(Role.inspector, subject=subject),
    )
    assert put.status_code == 201, put.text
    return client_uuid


def auth(rights, subject: str = BATU) -> dict:
    return rights.auth(Role.inspector, subject=subject)


async def head_offset(rights, location: str, subject: str = BATU) -> int:
    response = await rights.client.head(location, headers={**auth(rights, subject), **TUS})
    assert response.status_code == 200, response.status_code
    assert response.headers["tus-resumable"] == "1.0.0"
    return int(response.headers["upload-offset"])


def cut_patch(base: str, location: str, headers: dict, offset: int, chunk: bytes) -> None:
    """A PATCH whose connection drops after half its body (a phone losing signal)."""
    url = urlsplit(base)
    sent = chunk[: len(chunk) // 2]
    lines = [
        f"PATCH {location} HTTP/1.1",
        f"Host: {url.netloc}",
        f"Content-Length: {len(chunk)}",
        f"Upload-Offset: {offset}",
        *(f"{k}: {v}" for k, v in {**headers, **OCTETS}.items()),
    ]
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)
        time.sleep(0.5)  # the server has read what was sent when the signal is lost
        conn.shutdown(socket.SHUT_RDWR)


async def test_an_upload_cut_at_half_resumes_and_becomes_a_photo(rights):
    inspection_id = await inspection(rights)
    data = photo()
    headers = auth(rights)
    async with served(rights.app) as base:
        endpoint = f"{base}/inspections/{inspection_id}/photo-uploads"

        def first_half() -> str:
            uploader = TusClient(endpoint, headers=headers).uploader(
                file_stream=io.BytesIO(data),
                chunk_size=CHUNK,
                upload_checksum=True,
                metadata={"filename": "IMG_0001.jpg", "filetype": "image/jpeg"},
            )
            uploader.upload(stop_at=len(data) // 2)
            return uploader.url

        url = await asyncio.to_thread(first_half)
        location = urlsplit(url).path
        half = await head_offset(rights, location)
        assert len(data) // 2 <= half < len(data) // 2 + CHUNK

        # the next chunk's connection drops mid-body: what arrived is kept
        chunk = data[half : half + CHUNK]
        await asyncio.to_thread(cut_patch, base, location, headers, half, chunk)
        for _ in range(100):
            resumed_from = await head_offset(rights, location)
            if resumed_from != half:
                break
            await asyncio.sleep(0.05)
        assert resumed_from == half + CHUNK // 2

        def resume() -> None:
            # a new client (the app restarted) that knows only the upload's URL
            uploader = TusClient(endpoint, headers=headers).uploader(
                file_stream=io.BytesIO(data), url=url, chunk_size=CHUNK, upload_checksum=True
            )
            assert uploader.offset == resumed_from  # it asked the server with HEAD
            uploader.upload()

        await asyncio.to_thread(resume)

    assert await head_offset(rights, location) == len(data)
    shown = await rights.client.get(f"/inspections/{inspection_id}", headers=auth(rights))
    [stored] = shown.json()["photos"]
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert (stored["media_type"], stored["size_bytes"], stored["attached_by"]) == (
        "image/jpeg",
        len(data),
        BATU,
    )
    download = await rights.client.get(
        f"/inspections/{inspection_id}/photos/{stored['sha256']}", headers=auth(rights)
    )
    assert download.content == data
    assert not any((rights.settings.attachments_dir / ".uploads").iterdir())


async def create(rights, inspection_id, length, subject=BATU, role=Role.inspector, **extra):
    return await rights.client.post(
        f"/inspections/{inspection_id}/photo-uploads",
        headers={
            **rights.auth(role, subject=subject),
            **TUS,
            "Upload-Length": str(length),
            **extra,
        },
    )


async def test_refusals(rights):
    inspection_id = await inspection(rights)
    discovery = await rights.client.options(f"/inspections/{inspection_id}/photo-uploads")
    assert discovery.status_code == 204
    assert discovery.headers["tus-version"] == "1.0.0"
    assert "creation" in discovery.headers["tus-extension"]
    assert discovery.headers["tus-max-size"] == str(LIMIT)

    # who may start one: the inspection's inspector or the bureau, nobody else
    assert (await create(rights, inspection_id, 100, subject=SARNA)).status_code == 403
    right_holder = await rights.client.get(
        f"/inspections/{inspection_id}", headers=rights.auth(Role.bureau_admin)
    )
    holder = await rights.client.get(
        f"/rights/{right_holder.json()['right_id']}", headers=rights.auth(Role.bureau_admin)
    )
    enterprise = await rights.client.post(
        f"/inspections/{inspection_id}/photo-uploads",
        headers={
            **rights.auth(Role.enterprise, holder_id=holder.json()["holder_id"]),
            **TUS,
            "Upload-Length": "100",
        },
    )
    assert enterprise.status_code == 403
    assert (await create(rights, uuid.uuid4(), 100)).status_code == 404
    assert (await create(rights, inspection_id, LIMIT + 1)).status_code == 413
    missing = await create(rights, inspection_id, 0)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "header.upload-length"
    no_version = await rights.client.post(
        f"/inspections/{inspection_id}/photo-uploads",
        headers={**auth(rights), "Upload-Length": "100"},
    )
    assert no_version.status_code == 412 and no_version.headers["tus-version"] == "1.0.0"
    by_bureau = await create(
        rights, inspection_id, 100, subject="reviewer-1", role=Role.bureau_reviewer
    )
    assert by_bureau.status_code == 201

    made = await create(rights, inspection_id, 1000)
    assert made.status_code == 201 and made.headers["upload-offset"] == "0"
    location = made.headers["location"]
    assert made.headers["upload-expires"].endswith("GMT")
    # only whoever started it continues it; to anyone else it does not exist
    for subject in (SARNA, "reviewer-1"):
        role = Role.inspector if subject == SARNA else Role.bureau_reviewer
        other = {**rights.auth(role, subject=subject), **TUS}
        assert (await rights.client.head(location, headers=other)).status_code == 404
        stolen = await rights.client.patch(
            location, content=JPEG, headers={**other, **OCTETS, "Upload-Offset": "0"}
        )
        assert stolen.status_code == 404
    assert (
        await rights.client.head(
            location, headers=rights.auth(Role.enterprise, holder_id=holder.json()["holder_id"])
        )
    ).status_code == 403

    def patch(body: bytes, offset: int = 0, **extra):
        return rights.client.patch(
            location,
            content=body,
            headers={**auth(rights), **OCTETS, "Upload-Offset": str(offset), **extra},
        )

    wrong_type = await rights.client.patch(
        location,
        content=JPEG,
        headers={**auth(rights), **TUS, "Upload-Offset": "0", "Content-Type": "image/jpeg"},
    )
    assert wrong_type.status_code == 415
    not_a_photo = await patch(PDF)
    assert not_a_photo.status_code == 415
    bad_sum = base64.b64encode(hashlib.sha1(b"other").digest()).decode()
    mismatch = await patch(JPEG, **{"Upload-Checksum": f"sha1 {bad_sum}"})
    assert mismatch.status_code == 460
    assert await head_offset(rights, location) == 0  # nothing of either was kept
    good_sum = base64.b64encode(hashlib.sha256(JPEG).digest()).decode()
    accepted = await patch(JPEG, **{"Upload-Checksum": f"sha256 {good_sum}"})
    assert accepted.status_code == 204 and accepted.headers["upload-offset"] == str(len(JPEG))
    stale = await patch(JPEG, offset=0)
    assert stale.status_code == 409 and stale.json()["offset"] == len(JPEG)
    too_much = await patch(b"\x00" * 1000, offset=len(JPEG))
    assert too_much.status_code == 422
    assert await head_offset(rights, location) == len(JPEG)


async def test_unfinished_uploads_are_purged_after_the_configured_age(rights):
    inspection_id = await inspection(rights)
    stale = (await create(rights, inspection_id, 1000)).headers["location"]
    sent = await rights.client.patch(
        stale, content=JPEG, headers={**auth(rights), **OCTETS, "Upload-Offset": "0"}
    )
    assert sent.status_code == 204
    partial = rights.settings.attachments_dir / ".uploads" / stale.rsplit("/", 1)[1]
    assert partial.stat().st_size == len(JPEG)

    assert (
        await rights.runtime.run_job("stale_photo_uploads", now=clock.now() + timedelta(hours=23))
        == 0
    )
    assert partial.exists()
    purged = await rights.runtime.run_job(
        "stale_photo_uploads", now=clock.now() + timedelta(hours=25)
    )
    assert purged == 1
    assert not partial.exists()
    gone = await rights.client.head(stale, headers={**auth(rights), **TUS})
    assert gone.status_code == 404
