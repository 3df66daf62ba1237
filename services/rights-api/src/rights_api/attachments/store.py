"""Where attachment bytes live, one object per SHA-256: a local directory (the `make dev`
default) or an S3-compatible bucket (production). Checks of size and type happen before a store
is asked to keep anything; a store only keeps and returns bytes under their hash.

Downloads stream through the service (``Blob.chunks``) rather than redirect to a presigned URL:
the service's own authorization decides every read, the bucket need not be reachable from the
government network's clients, and no URL that opens a file without a token ever leaves it.
"""

import base64
import functools
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio
import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from rights_api.settings import RightsSettings

CHUNK = 64 * 1024


class StoreUnavailable(Exception):
    """The store could not be reached or refused the operation; the caller answers 503."""


@dataclass(frozen=True)
class Blob:
    """A stored file opened for reading: its size and its bytes, chunk by chunk."""

    size: int
    chunks: Callable[[], AsyncIterator[bytes]]


class Store(Protocol):
    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        """Keep ``data`` under its hash; a hash already kept is left as it is."""

    async def open(self, sha256: str) -> Blob | None:
        """The file kept under ``sha256``, or None when there is none."""

    async def probe(self) -> str:
        """Where the store is, once it is known to be usable; StoreUnavailable otherwise."""


class LocalStore:
    """Files under ``root/<first two hex digits>/<sha256>``, written atomically by rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        try:
            await anyio.to_thread.run_sync(_write, self.path(sha256), data)
        except OSError as exc:
            raise StoreUnavailable(f"{self.root} not writable: {exc}") from exc

    async def open(self, sha256: str) -> Blob | None:
        path = self.path(sha256)
        try:
            size = (await anyio.Path(path).stat()).st_size
        except FileNotFoundError:
            return None

        async def chunks() -> AsyncIterator[bytes]:
            async with await anyio.open_file(path, "rb") as file:
                while chunk := await file.read(CHUNK):
                    yield chunk

        return Blob(size=size, chunks=chunks)

    async def probe(self) -> str:
        # the directory is made on the first write: its nearest existing ancestor must take it
        existing = next(p for p in (self.root, *self.root.parents) if p.exists())
        if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
            raise StoreUnavailable(f"{self.root}: {existing} is not a writable directory")
        return f"directory {self.root}"


def _write(target: Path, data: bytes) -> None:
    if target.exists():
        return  # same hash, same bytes
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class S3Store:
    """Objects ``<key_prefix><sha256>`` in one bucket, path-style addressing. boto3's client is
    thread-safe and blocking, so every call runs in a worker thread."""

    def __init__(self, client, bucket: str, key_prefix: str) -> None:
        self.client, self.bucket, self.key_prefix = client, bucket, key_prefix

    def key(self, sha256: str) -> str:
        return f"{self.key_prefix}{sha256}"

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        await self.call(self._put, self.key(sha256), data, media_type)

    def _put(self, key: str, data: bytes, media_type: str) -> None:
        if self._head(key) is not None:
            return  # same hash, same bytes: stored once
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=media_type,
            # the store checks what arrived against what was sent
            ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode(),
        )

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    async def open(self, sha256: str) -> Blob | None:
        found = await self.call(self._get, self.key(sha256))
        if found is None:
            return None
        body = found["Body"]

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await self.call(body.read, CHUNK):
                    yield chunk
            finally:
                body.close()

        return Blob(size=found["ContentLength"], chunks=chunks)

    def _get(self, key: str) -> dict | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    async def probe(self) -> str:
        await self.call(lambda: self.client.head_bucket(Bucket=self.bucket))
        return f"bucket {self.bucket} at {self.client.meta.endpoint_url}"

    async def call(self, function, *args):
        """A blocking boto3 call in a worker thread; its failures are StoreUnavailable."""
        try:
            return await anyio.to_thread.run_sync(function, *args)
        except (BotoCoreError, ClientError) as exc:
            raise StoreUnavailable(f"bucket {self.bucket}: {exc}") from exc


def store_for(settings: RightsSettings) -> Store:
    """The store the settings name; one S3 client per distinct configuration."""
    if settings.attachment_store == "local":
        return LocalStore(settings.attachments_dir)
    secret = settings.s3_secret_access_key
    return _s3_store(
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_bucket,
        settings.s3_key_prefix,
        settings.s3_access_key_id,
        secret.get_secret_value() if secret is not None else None,
    )


async def probe(settings: RightsSettings) -> str:
    """``mineadmin doctor``'s check of the attachment store (ServiceSpec.probes)."""
    return await store_for(settings).probe()


@functools.lru_cache(maxsize=8)
def _s3_store(
    endpoint: str | None,
    region: str,
    bucket: str,
    key_prefix: str,
    access_key: str | None,
    secret_key: str | None,
) -> S3Store:
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # S3-compatible servers do not all accept the CRC trailers boto3 sends by default
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    return S3Store(client, bucket, key_prefix)
