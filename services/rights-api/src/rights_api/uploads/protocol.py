"""The tus 1.0 wire format: versions, extensions, the headers' grammar and its refusals."""

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import Request
from servicekit.errors import FieldError, PreconditionFailed, ProblemError, validation_error
from servicekit.request_checks import UnsupportedMediaType
from starlette.requests import ClientDisconnect

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,expiration,checksum"
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
CHECKSUMS: dict[str, Callable[[], Any]] = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
HEADERS = {"Tus-Resumable": TUS_VERSION}


class ChecksumMismatch(ProblemError):
    status, slug, title = 460, "checksum-mismatch", "Checksum Mismatch"


class Interrupted(ProblemError):
    """The connection dropped mid-chunk: what arrived was kept. Nobody reads this answer; it
    ends the request as an expected outcome, not an error."""

    status, slug, title = 400, "upload-interrupted", "The upload's connection dropped"


class UnsupportedChecksum(ProblemError):
    status, slug, title = 400, "unsupported-checksum", "Checksum algorithm not supported"


def require_version(tus_resumable: str | None) -> None:
    """Every request but OPTIONS names the protocol version it speaks (412 otherwise)."""
    if tus_resumable != TUS_VERSION:
        raise PreconditionFailed(
            f"Send Tus-Resumable: {TUS_VERSION}; this server speaks tus {TUS_VERSION} only.",
            headers={"Tus-Version": TUS_VERSION, **HEADERS},
        )


def require_chunk_type(content_type: str | None) -> None:
    if (content_type or "").partition(";")[0].strip().lower() != OFFSET_OCTET_STREAM:
        raise UnsupportedMediaType(f"This operation takes {OFFSET_OCTET_STREAM}.", headers=HEADERS)


async def read_chunk(request: Request) -> tuple[bytes, bool]:
    """The PATCH body, read before anything else is judged (so an oversized one is the body
    limit's 413), and whether the connection dropped before its end (what arrived is kept)."""
    data = bytearray()
    try:
        async for part in request.stream():
            data += part
    except ClientDisconnect:
        return bytes(data), True
    return bytes(data), False


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs (value optional)."""
    found: dict[str, str] = {}
    for pair in (header or "").split(","):
        if not pair.strip():
            continue
        key, _, value = pair.strip().partition(" ")
        try:
            found[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise validation_error(
                [FieldError(field="header.upload-metadata", message=f"{key}: not base64 UTF-8")]
            ) from None
    return found


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """``Upload-Checksum: <algorithm> <base64 digest>``, or None when not sent."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise UnsupportedChecksum(
            f"Upload-Checksum algorithm {algorithm!r}; supported: {', '.join(CHECKSUMS)}.",
            headers=HEADERS,
        )
    try:
        return algorithm, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise validation_error(
            [FieldError(field="header.upload-checksum", message="the digest is not base64")]
        ) from None


def check_checksum(expected: tuple[str, bytes] | None, data: bytes) -> None:
    if expected is None:
        return
    algorithm, digest = expected
    if CHECKSUMS[algorithm](data).digest() != digest:
        raise ChecksumMismatch(
            f"The chunk's {algorithm} differs from Upload-Checksum; nothing was stored, "
            "send the chunk again.",
            headers=HEADERS,
        )
