"""The bytes of unfinished resumable uploads, kept where the attachments are kept so that any
replica can continue an upload another one began.

Local store: one file per upload (``<attachments_dir>/.uploads/<id>``), appended to. S3 store:
one object per chunk (``<key_prefix>.uploads/<id>/<offset>``), since objects cannot be appended
to; the upload's offset is the sum of its chunks. Either way the upload's row lock (``SELECT …
FOR UPDATE``) lets one request at a time add bytes.
"""

import os
from pathlib import Path
from typing import Protocol
from uuid import UUID

import anyio

from rights_api.attachments.store import S3Store, StoreUnavailable, store_for
from rights_api.settings import RightsSettings


class Partials(Protocol):
    async def size(self, upload_id: UUID) -> int: ...

    async def append(self, upload_id: UUID, offset: int, data: bytes) -> None: ...

    async def read(self, upload_id: UUID) -> bytes: ...

    async def drop(self, upload_id: UUID) -> None: ...


class LocalPartials:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, upload_id: UUID) -> Path:
        return self.root / str(upload_id)

    async def size(self, upload_id: UUID) -> int:
        path = anyio.Path(self.path(upload_id))
        return (await path.stat()).st_size if await path.exists() else 0

    async def append(self, upload_id: UUID, offset: int, data: bytes) -> None:
        await anyio.to_thread.run_sync(_append, self.path(upload_id), data)

    async def read(self, upload_id: UUID) -> bytes:
        return await anyio.Path(self.path(upload_id)).read_bytes()

    async def drop(self, upload_id: UUID) -> None:
        await anyio.Path(self.path(upload_id)).unlink(missing_ok=True)


def _append(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


class S3Partials:
    def __init__(self, store: S3Store) -> None:
        self.store = store

    def prefix(self, upload_id: UUID) -> str:
        return f"{self.store.key_prefix}.uploads/{upload_id}/"

    def _chunks(self, upload_id: UUID) -> list[tuple[int, str, int]]:
        """(offset, key, size) of each stored chunk, in order."""
        pages = self.store.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.store.bucket, Prefix=self.prefix(upload_id)
        )
        found = [
            (int(item["Key"].rsplit("/", 1)[1]), item["Key"], item["Size"])
            for page in pages
            for item in page.get("Contents", [])
        ]
        return sorted(found)

    async def size(self, upload_id: UUID) -> int:
        chunks = await self.store.call(self._chunks, upload_id)
        return sum(size for _, _, size in chunks)

    async def append(self, upload_id: UUID, offset: int, data: bytes) -> None:
        if data:
            await self.store.call(self._put, f"{self.prefix(upload_id)}{offset:012d}", data)

    def _put(self, key: str, data: bytes) -> None:
        self.store.client.put_object(Bucket=self.store.bucket, Key=key, Body=data)

    async def read(self, upload_id: UUID) -> bytes:
        return await self.store.call(self._read, upload_id)

    def _read(self, upload_id: UUID) -> bytes:
        parts = bytearray()
        for offset, key, _ in self._chunks(upload_id):
            if offset != len(parts):
                raise StoreUnavailable(f"upload {upload_id}: chunk at {offset}, {len(parts)} held")
            found = self.store.client.get_object(Bucket=self.store.bucket, Key=key)
            parts += found["Body"].read()
        return bytes(parts)

    async def drop(self, upload_id: UUID) -> None:
        await self.store.call(self._drop, upload_id)

    def _drop(self, upload_id: UUID) -> None:
        # one DELETE per chunk: DeleteObjects needs a checksum header that not every
        # S3-compatible server accepts from boto3 (S3Proxy refuses x-amz-checksum-crc32)
        for _, key, _ in self._chunks(upload_id):
            self.store.client.delete_object(Bucket=self.store.bucket, Key=key)


def partials_for(settings: RightsSettings) -> Partials:
    store = store_for(settings)
    if isinstance(store, S3Store):
        return S3Partials(store)
    return LocalPartials(settings.attachments_dir / ".uploads")
