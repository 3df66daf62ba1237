"""Content-addressed storage: a file is named by its SHA-256 in the attachment store
(``attachments.store``: a local directory or an S3-compatible bucket).

The type is read from the bytes (magic numbers), never from the file name or the declared
``Content-Type``; size and type are checked before the store is asked to keep anything. A file
is stored before the transaction that records it commits; if that transaction fails the file
stays unreferenced and the next upload of the same bytes reuses it.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from servicekit import clock
from servicekit.body_limit import PayloadTooLarge
from servicekit.errors import (
    FieldError,
    NotFound,
    ProblemError,
    ServiceUnavailable,
    validation_error,
)
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic, attachment_public
from rights_api.attachments.store import StoreUnavailable, store_for
from rights_api.settings import RightsSettings

Link = TypeVar("Link", bound=SQLModel)
log = logging.getLogger("rights_api.attachments")
JPEG, PNG, WEBP, HEIC, TIFF, PDF = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/tiff",
    "application/pdf",
)
PHOTO_TYPES = frozenset({JPEG, PNG, WEBP, HEIC})  # what phone cameras produce
DOCUMENT_TYPES = frozenset({PDF, JPEG, PNG, TIFF})  # plan maps and reports
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "File type not accepted"


def sniff(head: bytes) -> str | None:
    """The media type the first bytes of a file show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(b"%PDF-"):
        return PDF
    return None


async def store(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    data: bytes,
    allowed: frozenset[str],
    field: str = "file",
) -> Attachment:
    """Check, hash and store ``data``; the row is shared by every upload of the same bytes."""
    if len(data) > settings.attachment_max_bytes:
        raise PayloadTooLarge(
            f"The file is {len(data)} bytes; at most {settings.attachment_max_bytes} are accepted.",
            max_bytes=settings.attachment_max_bytes,
        )
    if not data:
        raise validation_error([FieldError(field=f"body.{field}", message="the file is empty")])
    media_type = sniff(data[:16])
    if media_type not in allowed:
        raise UnsupportedMediaType(
            f"The file's content is {media_type or 'of an unknown type'}; accepted here: "
            f"{', '.join(sorted(allowed))}. The type is read from the bytes, not the file name.",
            accepted=sorted(allowed),
        )
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        await store_for(settings).put(sha256, data, media_type)
    except StoreUnavailable as exc:
        log.error("attachment store unavailable: %s", exc)
        raise ServiceUnavailable(
            "The attachment store is unavailable; retry later.", headers={"Retry-After": "30"}
        ) from exc
    await session.exec(
        insert(Attachment)
        .values(sha256=sha256, media_type=media_type, size_bytes=len(data), created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    attachment = await session.get(Attachment, sha256)
    assert attachment is not None
    return attachment


@dataclass(frozen=True)
class Links(Generic[Link]):
    """The files of one kind of owner (a filing's attachments, an inspection's photos): a link
    table keyed (owner id, sha256) with ``attached_at``/``attached_by``. ``owner`` names the
    owner column; ``missing`` is the 404 detail, formatted with the owner id and the hash;
    ``purpose`` what every file here is (photos), else the link row's own ``purpose``."""

    model: type[Link]
    owner: str
    missing: str
    purpose: str | None = None

    def public(self, link: Link, attachment: Attachment) -> AttachmentPublic:
        return attachment_public(link, attachment, self.purpose or link.purpose)

    async def add(
        self,
        *,
        session: AsyncSession,
        owner_id: UUID,
        attachment: Attachment,
        by: str,
        **values: Any,
    ) -> tuple[AttachmentPublic, bool]:
        """Link a stored file to its owner; the same file again is one link (False)."""
        inserted = await session.scalar(
            insert(self.model)
            .values(
                **{self.owner: owner_id},
                sha256=attachment.sha256,
                attached_at=clock.now(),
                attached_by=by,
                **values,
            )
            .on_conflict_do_nothing()
            .returning(self.model.sha256)
        )
        found = await session.get(self.model, (owner_id, attachment.sha256))
        assert found is not None
        return self.public(found, attachment), inserted is not None

    async def of(
        self, *, session: AsyncSession, owner_ids: list[UUID]
    ) -> dict[UUID, list[AttachmentPublic]]:
        """Each owner's files, in the order attached."""
        rows = await session.exec(
            select(self.model, Attachment)
            .join(Attachment, Attachment.sha256 == self.model.sha256)
            .where(getattr(self.model, self.owner).in_(owner_ids))
            .order_by(self.model.attached_at, self.model.sha256)
        )
        found: dict[UUID, list[AttachmentPublic]] = {i: [] for i in owner_ids}
        for row, attachment in rows.all():
            found[getattr(row, self.owner)].append(self.public(row, attachment))
        return found

    async def file(self, *, session: AsyncSession, owner_id: UUID, sha256: str) -> Attachment:
        """The file linked to the owner under ``sha256``; 404 when it is not linked there."""
        if await session.get(self.model, (owner_id, sha256)) is None:
            raise NotFound(self.missing.format(owner_id, sha256))
        found = await session.get(Attachment, sha256)
        assert found is not None
        return found
