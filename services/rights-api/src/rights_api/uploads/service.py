"""Resumable photo uploads (tus 1.0 core, with creation, expiration and checksum). Functions
never commit: the request owns the transaction.

The bytes received so far are kept apart from the request's transaction (``uploads.partials``:
a file, or chunk objects in the S3 bucket, so any replica can continue the upload), and their
size is the upload's offset: a chunk cut off by a dropped connection keeps what arrived (the
transaction of that request cannot commit, but the bytes are not part of it), so the app resumes
from ``HEAD``'s ``Upload-Offset`` instead of starting over. A chunk with ``Upload-Checksum`` is
stored whole or not at all. When the last byte arrives the file is checked and stored like any
photo (content-addressed, type read from the bytes, size limit) and linked to the inspection.
"""

import logging
from datetime import datetime, timedelta
from email.utils import format_datetime
from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal
from servicekit.body_limit import PayloadTooLarge
from servicekit.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    validation_error,
)
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.attachments import service as attachments
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.attachments.store import StoreUnavailable
from rights_api.inspections import service as inspections
from rights_api.settings import RightsSettings
from rights_api.uploads import protocol
from rights_api.uploads.models import PhotoUpload
from rights_api.uploads.partials import partials_for
from rights_api.uploads.protocol import HEADERS

log = logging.getLogger("rights_api.uploads")


async def offset_of(settings: RightsSettings, upload: PhotoUpload) -> int:
    if upload.completed_at is not None:
        return upload.length
    try:
        return await partials_for(settings).size(upload.id)
    except StoreUnavailable as exc:
        raise _unavailable() from exc


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The attachment store is unavailable; retry later.",
        headers={**HEADERS, "Retry-After": "30"},
    )


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
    try:
        await partials_for(settings).append(upload.id, 0, b"")
    except StoreUnavailable as exc:
        raise _unavailable() from exc
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
    current = await offset_of(settings, upload)
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
    try:
        await partials_for(settings).append(upload.id, current, data)
    except StoreUnavailable as exc:
        raise _unavailable() from exc
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
    partials = partials_for(settings)
    try:
        data = await partials.read(upload.id)
    except StoreUnavailable as exc:
        raise _unavailable() from exc
    attached, _ = await inspections.attach_photo(
        session=session,
        settings=settings,
        inspection_id=upload.inspection_id,
        data=data,
        by=upload.created_by,
    )
    upload.sha256, upload.completed_at = attached.sha256, clock.now()
    # the content-addressed file now holds the bytes; a failed commit leaves orphan partial
    # bytes that the purge takes
    try:
        await partials.drop(upload.id)
    except StoreUnavailable:
        log.warning("upload %s: partial bytes left for the purge", upload.id, exc_info=True)
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
    partials = partials_for(settings)
    for upload in stale:
        await partials.drop(upload.id)  # a finished upload's were dropped already, or orphaned
        await session.delete(upload)
    await session.flush()
    return len(stale)
