"""HTTP pieces the routers with attachments share: reading an upload, serving a file."""

import mimetypes
from typing import Annotated

from fastapi import Depends, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from servicekit.downloads import content_disposition
from servicekit.errors import NotFound, ServiceUnavailable, problem_doc

from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.attachments.store import StoreUnavailable, store_for
from rights_api.settings import RightsSettings


def settings(request: Request) -> RightsSettings:
    return request.app.state.settings


Settings = Annotated[RightsSettings, Depends(settings)]


async def read_upload(upload: UploadFile, config: RightsSettings) -> bytes:
    """At most one byte more than allowed, so an oversized file is refused without reading it."""
    return await upload.read(config.attachment_max_bytes + 1)


def upload_responses(*, already: str, not_accepted: str) -> dict:
    """What an upload route documents besides its 201: the replay (200) and the file's problems."""
    return {
        200: {"model": AttachmentPublic, "description": already},
        413: problem_doc("File larger than the limit 文件过大"),
        415: problem_doc(not_accepted),
        503: problem_doc("Attachment store unavailable; retry 存储暂不可用"),
    }


def uploaded(response: Response, added: tuple[AttachmentPublic, bool], at: str) -> AttachmentPublic:
    """The answer to an upload: 201 with its ``Location`` (``at``/sha256), 200 when the same
    file was attached already."""
    public, created = added
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{at}/{public.sha256}"
    return public


async def file_response(config: RightsSettings, attachment: Attachment) -> StreamingResponse:
    """The stored bytes, streamed through the service: the caller's right to read was checked
    on the object the file is attached to."""
    try:
        blob = await store_for(config).open(attachment.sha256)
    except StoreUnavailable as exc:
        raise ServiceUnavailable(
            "The attachment store is unavailable; retry later.", headers={"Retry-After": "30"}
        ) from exc
    if blob is None:
        raise NotFound(
            f"Attachment {attachment.sha256} is recorded but its file is missing from storage; "
            "restore the attachment store from backup."
        )
    return StreamingResponse(
        blob.chunks(),
        media_type=attachment.media_type,
        headers={
            "Content-Length": str(blob.size),
            "ETag": f'"{attachment.sha256}"',
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": content_disposition(
                attachment.sha256 + (mimetypes.guess_extension(attachment.media_type) or "")
            ),
        },
    )
