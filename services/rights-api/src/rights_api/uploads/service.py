"""Resumable photo uploads (tus 1.0 core, with creation, expiration and checksum). Functions
never commit: the request owns the transaction.

The bytes received so far are a file of their own (``<attachments_dir>/.uploads/<id>``), and its
size is the upload's offset: a chunk cut off by a dropped connection keeps what arrived (the
transaction of that request cannot commit, but the file is not part of it), so the app resumes
from ``HEAD``'s ``Upload-Offset`` instead of starting over. A chunk with ``Upload-Checksum`` is
stored whole or not at all. When the last byte arrives the file is checked and stored like any
photo (content-addressed, type read from the bytes, size limit) and linked to the inspection.
"""

import os
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from uuid import UUID

import anyio
from servicekit import clock
from servicekit.auth import Principal
from servicekit.body_limit import PayloadTooLarge
from servicekit.errors import Conflict, FieldError, Forbidden, NotFound, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.attachments import service as attachments
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.inspections import service as inspections
from rights_api.settings import RightsSettings
from rights_api.uploads import protocol
from rights_api.uploads.models import PhotoUpload
from rights_api.uploads.protocol import HEADERS


def partial_path(settings: RightsSettings, upload_id: UUID) -> Path:
    return settings.attachments_dir / ".uploads" / str(upload_id)


def offset_of(settings: RightsSettings, upload: PhotoUpload) -> int:
    if upload.completed_at is not None:
        return upload.length
    path = partial_path(settings, upload.id)
    return path.stat().st_size if path.exists() else 0


def expires(settings: RightsSettings, upload: PhotoUpload) -> str:
    """``Upload-Expires``: when the purge may take the unfinished upload (RFC 9110 date)."""
    return format_datetime(
        upload.updated_at + timedelta(hours=settings.upload_max_age_hours), usegmt=True
    )


async def create(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    inspection_id: UUID,
    length: int | None,
    metadata: str | None,
    caller: Principal,
) -> PhotoUpload:
    """A new upload of ``length`` bytes for a photo of the inspection: its inspector's, or
    any for bureau staff."""
    inspection = await inspections.get(session=session, inspection_id=inspection_id, caller=caller)
    if not caller.is_bureau and inspection.inspector != caller.subject:
        raise Forbidden("Only the inspector who recorded the inspection adds its photos.")
    if length is None or length <= 0:
        raise validation_error(
            [FieldError(field="header.upload-length", message="send the photo's size, > 0")]
        )
    if length > settings.attachment_max_bytes:
        raise PayloadTooLarge(
            f"The photo is {length} bytes; at most {settings.attachment_max_bytes} are accepted.",
            max_bytes=settings.attachment_max_bytes,
            headers=HEADERS,
        )
    now = clock.now()
    upload = PhotoUpload(
        inspection_id=inspection.id,
        length=length,
        metadata_=protocol.parse_metadata(metadata),
        created_by=caller.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(upload)
    await session.flush()
    await anyio.to_thread.run_sync(_append, partial_path(settings, upload.id), b"")
    return upload


async def owned(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    upload_id: UUID,
    caller: Principal,
    for_update: bool = False,
) -> PhotoUpload:
    """The caller's own upload, not yet expired; anyone else's is a 404 (nothing is learned)."""
    upload = await session.get(PhotoUpload, upload_id, with_for_update=for_update)
    stale = clock.now() - timedelta(hours=settings.upload_max_age_hours)
    if (
        upload is None
        or upload.created_by != caller.subject
        or (upload.completed_at is None and upload.updated_at < stale)
    ):
        raise NotFound(f"No upload {upload_id}.", headers=HEADERS)
    return upload


def _append(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


async def append(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    upload_id: UUID,
    offset: int | None,
    checksum: str | None,
    data: bytes,
    cut: bool,
    caller: Principal,
) -> tuple[PhotoUpload, int, AttachmentPublic | None]:
    """Append the request's bytes at ``offset`` (which must be the upload's); ``cut``: the
    connection dropped before the chunk's end. Returns the upload, its new offset and, when
    this chunk completed it, the attached photo."""
    expected = protocol.parse_checksum(checksum)
    upload = await owned(
        session=session, settings=settings, upload_id=upload_id, caller=caller, for_update=True
    )
    current = offset_of(settings, upload)
    if offset is None or offset != current:
        raise Conflict(
            f"Upload-Offset {offset} is not the upload's offset {current}; HEAD it and resume "
            "from there.",
            offset=current,
            headers=HEADERS,
        )
    if upload.completed_at is not None:
        return upload, current, None
    if current + len(data) > upload.length:
        raise validation_error(
            [FieldError(field="body", message=f"more than Upload-Length {upload.length}")]
        )
    if cut and expected is not None:
        raise protocol.Interrupted("A checksummed chunk is kept whole or not at all.")
    if not cut:
        protocol.check_checksum(expected, data)
    if current == 0 and len(data) >= 16:
        _refuse_non_photo(data[:16])
    await anyio.to_thread.run_sync(_append, partial_path(settings, upload.id), data)
    if cut:
        raise protocol.Interrupted(f"Kept {len(data)} bytes; resume from HEAD's Upload-Offset.")
    upload.updated_at = clock.now()
    current += len(data)
    attached = None
    if current == upload.length:
        attached = await _complete(session=session, settings=settings, upload=upload)
    session.add(upload)
    await session.flush()
    return upload, current, attached


def _refuse_non_photo(head: bytes) -> None:
    """An upload that is no photo is refused at its first chunk, not at its last."""
    if attachments.sniff(head) not in attachments.PHOTO_TYPES:
        raise attachments.UnsupportedMediaType(
            "The upload's first bytes are no JPEG, PNG, WebP or HEIC photo.",
            accepted=sorted(attachments.PHOTO_TYPES),
            headers=HEADERS,
        )


async def _complete(
    *, session: AsyncSession, settings: RightsSettings, upload: PhotoUpload
) -> AttachmentPublic:
    path = partial_path(settings, upload.id)
    data = await anyio.to_thread.run_sync(path.read_bytes)
    attached, _ = await inspections.attach_photo(
        session=session,
        settings=settings,
        inspection_id=upload.inspection_id,
        data=data,
        by=upload.created_by,
    )
    upload.sha256, upload.completed_at = attached.sha256, clock.now()
    # the content-addressed file now holds the bytes; a failed commit leaves an orphan partial
    # file that the purge takes
    path.unlink(missing_ok=True)
    return attached


async def purge_stale(session: AsyncSession, now: datetime) -> int:
    """Job ``stale_photo_uploads``: uploads untouched for ``upload_max_age_hours`` are deleted
    with the bytes they hold (finished ones only lose their row; the photo stays)."""
    settings: RightsSettings = session.info["settings"]
    stale = (
        await session.exec(
            select(PhotoUpload)
            .where(PhotoUpload.updated_at < now - timedelta(hours=settings.upload_max_age_hours))
            .with_for_update(skip_locked=True)
        )
    ).all()
    for upload in stale:
        if upload.completed_at is None:
            partial_path(settings, upload.id).unlink(missing_ok=True)
        await session.delete(upload)
    await session.flush()
    return len(stale)
