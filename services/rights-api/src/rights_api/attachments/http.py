"""HTTP pieces the routers with attachments share: reading an upload, serving a file."""

from typing import Annotated

from fastapi import Depends, Request, UploadFile
from fastapi.responses import FileResponse
from servicekit.errors import NotFound

from rights_api.attachments.models import Attachment
from rights_api.attachments.service import path_of
from rights_api.settings import RightsSettings


def settings(request: Request) -> RightsSettings:
    return request.app.state.settings


Settings = Annotated[RightsSettings, Depends(settings)]


async def read_upload(upload: UploadFile, config: RightsSettings) -> bytes:
    """At most one byte more than allowed, so an oversized file is refused without reading it."""
    return await upload.read(config.attachment_max_bytes + 1)


def file_response(config: RightsSettings, attachment: Attachment) -> FileResponse:
    path = path_of(config, attachment.sha256)
    if not path.is_file():
        raise NotFound(
            f"Attachment {attachment.sha256} is recorded but its file is missing from storage; "
            "restore the attachments volume from backup."
        )
    return FileResponse(
        path,
        media_type=attachment.media_type,
        headers={
            "ETag": f'"{attachment.sha256}"',
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )
