"""HTTP for inspections: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from servicekit.deps import Inspector, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.attachments.http import (
    Settings,
    file_response,
    read_upload,
    upload_responses,
    uploaded,
)
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.inspections import service
from rights_api.inspections.schemas import (
    InspectionEdit,
    InspectionFilters,
    InspectionPublic,
    InspectionPut,
)

router = APIRouter(prefix="/inspections", tags=["inspections 现场检查"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the photo")]
Filters = Annotated[InspectionFilters, Query()]
NOT_FOUND = {404: problem_doc("No such inspection")}
UPLOAD_RESPONSES = {
    **upload_responses(
        already="Photo already attached 已上传",
        not_accepted="Not an accepted image type (read from the bytes) 文件类型不支持",
    ),
    **NOT_FOUND,
}
FILE_RESPONSES = {
    200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo"},
    404: problem_doc("No such inspection or photo"),
}


@router.put(
    "/{inspection_id}",
    status_code=201,
    summary="Record an inspection (offline-safe) 上传现场检查记录",
    responses={
        200: {"model": InspectionPublic, "description": "Replay of a stored record 重复上传"},
        409: problem_doc("client_uuid already used with another body 编号已被占用"),
    },
)
async def put_inspection(
    client_uuid: Annotated[
        UUID,
        # the same resource as GET and PATCH /inspections/{inspection_id}: its id is the app's
        Path(alias="inspection_id", description="The app's client_uuid 客户端编号"),
    ],
    data: InspectionPut,
    session: Session,
    caller: Inspector,
    response: Response,
) -> InspectionPublic:
    """The app chooses `client_uuid` and may send the record as often as it needs to: the first time
    answers 201, the same body again 200 with the stored record (nothing written twice). A different
    body, or another inspector, under a used `client_uuid` is 409: a recorded inspection is evidence
    and is never replaced. Working-face points outside the right's licensed boundary flag the record
    as out-of-bounds mining 越界开采 (`violations: [out_of_bounds_mining]`); a
    `working_face_elevation_m` above the right's licensed top or below its bottom elevation 开采标高
    flags it as out-of-level mining 超层越界 (`out_of_level: true`, `violations:
    [out_of_level_mining]`; 第五章第三节 安全准入条件: 超层越界 means 停产整顿 until solved).
    `rights.inspection.recorded` carries both flags; a reviewer then issues a compliance order.
    Photos follow with `POST /inspections/{client_uuid}/photos`. A random patrol's finding 随机巡查
    names its draw in `patrol_draw_id` (the mine must be one the draw picked, else 422
    `body.patrol_draw_id`).
    """
    inspection, created = await service.record(
        session=session, client_uuid=client_uuid, data=data, inspector=caller
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/inspections/{inspection.id}"
    return inspection


@router.get("", summary="List inspections 检查记录列表")
async def list_inspections(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[InspectionPublic]:
    """In the order received. Enterprises see only inspections of their own mines.
    `out_of_bounds=true` lists the records flagged 越界开采, `out_of_level=true` those flagged
    超层越界, `patrol_draw_id=` a random patrol's findings 随机巡查.
    """
    return await service.list_inspections(
        session=session, page=page, caller=caller, filters=filters
    )


@router.get("/{inspection_id}", summary="An inspection 检查记录详情", responses=NOT_FOUND)
async def get_inspection(inspection_id: UUID, session: Session, caller: Reader) -> InspectionPublic:
    """Enterprises get 404 for inspections of another holder's mines."""
    return await service.show(session=session, inspection_id=inspection_id, caller=caller)


@router.patch(
    "/{inspection_id}",
    summary="Edit an inspection (versioned) 修改检查记录",
    responses={
        **NOT_FOUND,
        403: problem_doc("Not the inspector who recorded it 非记录人"),
        409: problem_doc(
            "Edited meanwhile: the problem's `sent` is the edit as sent, `current` the record "
            "now 版本冲突"
        ),
    },
)
async def edit_inspection(
    inspection_id: UUID, data: InspectionEdit, session: Session, caller: Inspector
) -> InspectionPublic:
    """An edit made in the field, perhaps offline, names the `version` it was based on
    (`base_version`) and carries only the fields it changes. When the record has moved on
    meanwhile the answer is 409 with both versions as problem extensions (`sent`: the edit as
    sent; `current`: the record now, with its `version`): the app shows them side by side and
    sends a merged edit on the current version. The same edit sent twice (a lost answer) is
    answered with the record, not a conflict. Changed working-face points or elevation are
    checked again (越界开采, 超层越界); what each edit replaced is kept, and
    `rights.inspection.edited` is published. The first upload (`PUT`) stays idempotent.
    """
    return await service.edit(
        session=session, inspection_id=inspection_id, data=data, caller=caller
    )


@router.post(
    "/{inspection_id}/photos",
    status_code=201,
    summary="Add a photo to an inspection 上传检查照片",
    responses=UPLOAD_RESPONSES,
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
    added = await service.add_photo(
        session=session,
        settings=config,
        inspection_id=inspection_id,
        data=await read_upload(file, config),
        caller=caller,
    )
    return uploaded(response, added, at=f"/inspections/{inspection_id}/photos")


@router.get(
    "/{inspection_id}/photos/{sha256}",
    summary="Download a photo 下载检查照片",
    response_class=StreamingResponse,
    responses=FILE_RESPONSES,
)
async def get_photo(
    inspection_id: UUID, sha256: Sha256, session: Session, caller: Reader, config: Settings
) -> StreamingResponse:
    """The photo as stored, with the type found in its bytes. Whoever may read the inspection may
    read its photos; a hash alone opens nothing.
    """
    found = await service.photo(
        session=session, inspection_id=inspection_id, sha256=sha256, caller=caller
    )
    return await file_response(config, found)
