"""HTTP for inspections: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Response, UploadFile, status
from fastapi.responses import FileResponse
from servicekit.deps import Inspector, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.attachments import service as attachments
from rights_api.attachments.http import Settings, file_response, read_upload
from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic, attachment_public
from rights_api.inspections import service
from rights_api.inspections.models import Inspection, InspectionPhoto
from rights_api.inspections.schemas import InspectionPublic, InspectionPut

router = APIRouter(prefix="/inspections", tags=["inspections 现场检查"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the photo")]
UPLOAD_PROBLEMS = {
    413: problem_doc("File larger than the limit 文件过大"),
    415: problem_doc("Not an accepted image type (read from the bytes) 文件类型不支持"),
    503: problem_doc("Attachment store unavailable; retry 存储暂不可用"),
}


def _attachment(link: InspectionPhoto, attachment: Attachment) -> AttachmentPublic:
    return attachment_public(link, attachment, "photo")


def _public(inspection: Inspection, photos: list) -> InspectionPublic:
    return InspectionPublic(
        id=inspection.id,
        right_id=inspection.right_id,
        inspector=inspection.inspector,
        inspector_name=inspection.inspector_name,
        inspected_at=inspection.inspected_at,
        working_face=inspection.working_face,
        findings=inspection.findings,
        out_of_bounds=inspection.out_of_bounds,
        outside_points=inspection.outside_points,
        violations=service.violations(inspection),
        photos=[_attachment(link, a) for link, a in photos],
        received_at=inspection.received_at,
    )


@router.put(
    "/{client_uuid}",
    status_code=201,
    summary="Record an inspection (offline-safe) 上传现场检查记录",
    responses={
        200: {"model": InspectionPublic, "description": "Replay of a stored record 重复上传"},
        409: problem_doc("client_uuid already used with another body 编号已被占用"),
    },
)
async def put_inspection(
    client_uuid: UUID, data: InspectionPut, session: Session, caller: Inspector, response: Response
) -> InspectionPublic:
    """The app chooses `client_uuid` and may send the record as often as it needs to: the first time
    answers 201, the same body again 200 with the stored record (nothing written twice). A different
    body, or another inspector, under a used `client_uuid` is 409: a recorded inspection is evidence
    and is never replaced. Working-face points outside the right's licensed boundary flag the record
    as out-of-bounds mining 越界开采 (`violations: [out_of_bounds_mining]`, DOMAIN: 超层越界 means
    suspension until fixed) and `rights.inspection.recorded` carries the flag; a reviewer then
    issues a compliance order. Photos follow with `POST /inspections/{client_uuid}/photos`.
    """
    inspection, created = await service.record(
        session=session, client_uuid=client_uuid, data=data, inspector=caller
    )
    response.status_code = 201 if created else status.HTTP_200_OK
    response.headers["Location"] = f"/inspections/{inspection.id}"
    found = await service.photos(session=session, inspection_ids=[inspection.id])
    return _public(inspection, found[inspection.id])


@router.get("", summary="List inspections 检查记录列表")
async def list_inspections(
    session: Session,
    caller: Reader,
    page: Paging,
    right_id: UUID | None = None,
    out_of_bounds: bool | None = None,
) -> Page[InspectionPublic]:
    """In the order received. Enterprises see only inspections of their own mines.
    `out_of_bounds=true` lists the records flagged 越界开采.
    """
    rows = await service.list_inspections(
        session=session, page=page, caller=caller, right_id=right_id, out_of_bounds=out_of_bounds
    )
    found = await service.photos(session=session, inspection_ids=[r.id for r in rows.items])
    return rows.with_items([_public(r, found[r.id]) for r in rows.items])


@router.get(
    "/{inspection_id}",
    summary="An inspection 检查记录详情",
    responses={404: problem_doc("No such inspection")},
)
async def get_inspection(inspection_id: UUID, session: Session, caller: Reader) -> InspectionPublic:
    """Enterprises get 404 for inspections of another holder's mines."""
    inspection = await service.get(session=session, inspection_id=inspection_id, caller=caller)
    found = await service.photos(session=session, inspection_ids=[inspection.id])
    return _public(inspection, found[inspection.id])


@router.post(
    "/{inspection_id}/photos",
    status_code=201,
    summary="Add a photo to an inspection 上传检查照片",
    responses={
        **UPLOAD_PROBLEMS,
        200: {"model": AttachmentPublic, "description": "Photo already attached 已上传"},
        404: problem_doc("No such inspection"),
    },
)
async def add_photo(
    inspection_id: UUID,
    session: Session,
    caller: Inspector,
    config: Settings,
    response: Response,
    file: Annotated[UploadFile, File(description="The photo 照片")],
) -> AttachmentPublic:
    """`multipart/form-data` with one `file` (JPEG, PNG, WebP or HEIC, read from the bytes, not the
    name; at most `RIGHTS_ATTACHMENT_MAX_BYTES`). Stored once per content hash: sending the same
    photo again answers 200 and stores nothing new. Only the inspector who recorded the inspection
    adds photos.
    """
    inspection = await service.get(session=session, inspection_id=inspection_id, caller=caller)
    attachment = await attachments.store(
        session=session,
        settings=config,
        data=await read_upload(file, config),
        allowed=attachments.PHOTO_TYPES,
    )
    link, created = await service.attach_photo(
        session=session, inspection=inspection, attachment=attachment, caller=caller
    )
    response.status_code = 201 if created else status.HTTP_200_OK
    response.headers["Location"] = f"/inspections/{inspection.id}/photos/{attachment.sha256}"
    return _attachment(link, attachment)


@router.get(
    "/{inspection_id}/photos/{sha256}",
    summary="Download a photo 下载检查照片",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo"},
        404: problem_doc("No such inspection or photo"),
    },
)
async def get_photo(
    inspection_id: UUID, sha256: Sha256, session: Session, caller: Reader, config: Settings
) -> FileResponse:
    """The photo as stored, with the type found in its bytes. Whoever may read the inspection may
    read its photos; a hash alone opens nothing.
    """
    inspection = await service.get(session=session, inspection_id=inspection_id, caller=caller)
    attachment = await service.photo(session=session, inspection=inspection, sha256=sha256)
    return file_response(config, attachment)
