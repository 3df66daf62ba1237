"""HTTP for resumable photo uploads, the tus 1.0 protocol: parse, authorize, call the
service, answer with tus's headers."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response
from servicekit.deps import BureauOrInspector, Session
from servicekit.errors import problem_doc

from rights_api.attachments.http import Settings
from rights_api.uploads import protocol, service
from rights_api.uploads.protocol import HEADERS, OFFSET_OCTET_STREAM

router = APIRouter(tags=["inspections 现场检查"])
TusResumable = Annotated[
    str | None, Header(description="The protocol version, `1.0.0` 协议版本", examples=["1.0.0"])
]
NOT_FOUND = {404: problem_doc("No such upload, expired, or not yours 上传不存在")}
PRECONDITION = {412: problem_doc("Tus-Resumable missing or not 1.0.0")}


@router.options(
    "/inspections/{inspection_id}/photo-uploads",
    status_code=204,
    summary="Resumable upload capabilities (tus) 断点续传能力",
)
async def capabilities(inspection_id: UUID, config: Settings) -> Response:
    """tus discovery: the version, the extensions (`creation`, `expiration`, `checksum` with
    `sha1` and `sha256`) and the largest photo. No token needed: it says nothing of the
    inspection."""
    return Response(
        status_code=204,
        headers={
            **HEADERS,
            "Tus-Version": protocol.TUS_VERSION,
            "Tus-Extension": protocol.EXTENSIONS,
            "Tus-Max-Size": str(config.attachment_max_bytes),
            "Tus-Checksum-Algorithm": ",".join(protocol.CHECKSUMS),
        },
    )


@router.post(
    "/inspections/{inspection_id}/photo-uploads",
    status_code=201,
    summary="Start a resumable photo upload (tus) 创建断点续传上传",
    responses={
        **PRECONDITION,
        403: problem_doc("Not the inspector who recorded the inspection"),
        404: problem_doc("No such inspection"),
        413: problem_doc("Upload-Length above RIGHTS_ATTACHMENT_MAX_BYTES 文件过大"),
    },
)
async def create(
    inspection_id: UUID,
    session: Session,
    caller: BureauOrInspector,
    config: Settings,
    tus_resumable: TusResumable = None,
    upload_length: Annotated[int | None, Header(description="The photo's size in bytes")] = None,
    upload_metadata: Annotated[
        str | None, Header(description="tus metadata, e.g. `filename SU1HXzAwMDEuanBn`")
    ] = None,
) -> Response:
    """tus `creation`: `Upload-Length` (at most `RIGHTS_ATTACHMENT_MAX_BYTES`) and optional
    `Upload-Metadata`; answers 201 with the upload's `Location` (`/photo-uploads/{id}`) and
    `Upload-Expires`. Send the bytes with `PATCH` (`Content-Type:
    application/offset+octet-stream`, `Upload-Offset`), each chunk at most
    `RIGHTS_MAX_BODY_BYTES`; after a dropped connection `HEAD` tells the offset to resume from.
    The last byte stores the photo like `POST /inspections/{id}/photos` (content hash, type read
    from the bytes) and links it to the inspection. Only the inspector who recorded the
    inspection (or bureau staff) starts an upload, and only whoever started it continues it.
    Any tus 1.0 client works (tus-js-client, TUSKit, tus-android-client, tuspy).
    """
    protocol.require_version(tus_resumable)
    upload = await service.create(
        session=session,
        settings=config,
        inspection_id=inspection_id,
        length=upload_length,
        metadata=upload_metadata,
        caller=caller,
    )
    return Response(
        status_code=201,
        headers={
            **HEADERS,
            "Location": f"/photo-uploads/{upload.id}",
            "Upload-Offset": "0",
            "Upload-Expires": service.expires(config, upload),
        },
    )


@router.head(
    "/photo-uploads/{upload_id}",
    summary="Where a resumable upload stands (tus) 查询上传进度",
    responses={**NOT_FOUND, **PRECONDITION},
)
async def offset(
    upload_id: UUID,
    session: Session,
    caller: BureauOrInspector,
    config: Settings,
    tus_resumable: TusResumable = None,
) -> Response:
    """`Upload-Offset`: the bytes stored so far (resume from there), `Upload-Length`, and
    `Upload-Expires` while unfinished."""
    protocol.require_version(tus_resumable)
    upload = await service.owned(
        session=session, settings=config, upload_id=upload_id, caller=caller
    )
    headers = {
        **HEADERS,
        "Upload-Offset": str(await service.offset_of(config, upload)),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.completed_at is None:
        headers["Upload-Expires"] = service.expires(config, upload)
    return Response(status_code=200, headers=headers)


@router.patch(
    "/photo-uploads/{upload_id}",
    status_code=204,
    summary="Send bytes of a resumable upload (tus) 续传数据",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {OFFSET_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    responses={
        **NOT_FOUND,
        **PRECONDITION,
        400: problem_doc("Unsupported checksum algorithm, or the connection dropped mid-chunk"),
        409: problem_doc("Upload-Offset is not the upload's offset (`offset` says it) 偏移不符"),
        413: problem_doc("A chunk above RIGHTS_MAX_BODY_BYTES (send smaller chunks) 分片过大"),
        415: problem_doc("Not application/offset+octet-stream, or the bytes are no photo"),
        460: problem_doc("Upload-Checksum does not match the chunk 校验和不符"),
    },
)
async def append(
    upload_id: UUID,
    request: Request,
    session: Session,
    caller: BureauOrInspector,
    config: Settings,
    tus_resumable: TusResumable = None,
    upload_offset: Annotated[int | None, Header(description="Where these bytes go")] = None,
    upload_checksum: Annotated[
        str | None, Header(description="`sha1 <base64>` or `sha256 <base64>` of this chunk")
    ] = None,
) -> Response:
    """Appends the body at `Upload-Offset` and answers 204 with the new `Upload-Offset`. The
    chunk that completes the upload also answers `Content-Location` (the photo under its
    inspection) and `Upload-Sha256`."""
    # the media type is the request body's (documented there), not a free header parameter
    protocol.require_chunk_type(request.headers.get("content-type"))
    data, cut = await protocol.read_chunk(request)
    protocol.require_version(tus_resumable)
    upload, new_offset, attached = await service.append(
        session=session,
        settings=config,
        upload_id=upload_id,
        offset=upload_offset,
        checksum=upload_checksum,
        data=data,
        cut=cut,
        caller=caller,
    )
    headers = {**HEADERS, "Upload-Offset": str(new_offset)}
    if upload.completed_at is None:
        headers["Upload-Expires"] = service.expires(config, upload)
    if upload.sha256 is not None:
        headers["Content-Location"] = f"/inspections/{upload.inspection_id}/photos/{upload.sha256}"
        headers["Upload-Sha256"] = upload.sha256
    del attached
    return Response(status_code=204, headers=headers)
