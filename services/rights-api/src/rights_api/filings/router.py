"""HTTP for annual filings: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from servicekit.deps import Enterprise, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import versioned
from rights_api.attachments.http import (
    Settings,
    file_response,
    read_upload,
    upload_responses,
    uploaded,
)
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.filings import service
from rights_api.filings.models import AttachmentPurpose
from rights_api.filings.schemas import FilingFilters, FilingPublic, FilingSubmit

router = APIRouter(prefix="/filings", tags=["filings 年度报送"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the file")]
Filters = Annotated[FilingFilters, Query()]
NOT_FOUND = {404: problem_doc("No such filing (or another holder's) 无此报送")}
ALREADY_SUBMITTED = {409: problem_doc("Already submitted 已报送")}
SUBMIT_RESPONSES = {**NOT_FOUND, **ALREADY_SUBMITTED}
UPLOAD_RESPONSES = {
    **NOT_FOUND,
    **upload_responses(
        already="Already attached 已上传",
        not_accepted="Not an accepted type (read from the bytes) 文件类型不支持",
    ),
    **ALREADY_SUBMITTED,
}
FILE_RESPONSES = {
    200: {"content": {"application/pdf": {}, "image/png": {}}, "description": "The file"},
    404: problem_doc("No such filing or attachment"),
}


@router.get("", summary="List annual filings 年度报送列表")
async def list_filings(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[FilingPublic]:
    """Obligations and submissions, in the order created. Enterprises see only their own mines'
    filings. Filter by right, year (the year the filing is for), kind, status (`owed`, `submitted`,
    `overdue`).
    """
    return await service.list_filings(session=session, page=page, caller=caller, filters=filters)


@router.get("/{filing_id}", summary="An annual filing 年度报送详情", responses={**NOT_FOUND})
async def get_filing(
    filing_id: UUID, session: Session, caller: Reader, response: Response
) -> FilingPublic:
    """The obligation, its due date, status, attachments and (once submitted) the submission.
    Enterprises get 404 for another holder's filings.
    """
    filing = await service.show(session=session, filing_id=filing_id, caller=caller)
    return versioned(response, filing)


@router.post(
    "/{filing_id}/attachments",
    status_code=201,
    summary="Attach a file to a filing 上传报送附件",
    responses=UPLOAD_RESPONSES,
)
async def add_attachment(
    filing_id: UUID,
    session: Session,
    caller: Enterprise,
    config: Settings,
    response: Response,
    file: Annotated[UploadFile, File(description="The file 附件")],
    purpose: Annotated[AttachmentPurpose, Form(description="What it is 附件类型")],
) -> AttachmentPublic:
    """`multipart/form-data`: `file` (PDF, JPEG, PNG or TIFF, read from the bytes) and `purpose`
    (`plan_map` 采掘计划图 — required for the mining plan; `report` — required for the reserve
    verification; `plan`, `other`). Stored once per content hash; the same file again answers 200.
    Only the holder, before submitting.
    """
    added = await service.add_attachment(
        session=session,
        settings=config,
        filing_id=filing_id,
        data=await read_upload(file, config),
        purpose=purpose,
        caller=caller,
    )
    return uploaded(response, added, at=f"/filings/{filing_id}/attachments")


@router.get(
    "/{filing_id}/attachments/{sha256}",
    summary="Download a filing's attachment 下载报送附件",
    response_class=StreamingResponse,
    responses=FILE_RESPONSES,
)
async def get_attachment(
    filing_id: UUID, sha256: Sha256, session: Session, caller: Reader, config: Settings
) -> StreamingResponse:
    """The file as stored, with the type found in its bytes. Whoever may read the filing may read
    its attachments; a hash alone opens nothing.
    """
    found = await service.attachment(
        session=session, filing_id=filing_id, sha256=sha256, caller=caller
    )
    return await file_response(config, found)


@router.post(
    "/{filing_id}/submit", summary="Submit a filing 提交年度报送", responses=SUBMIT_RESPONSES
)
async def submit_filing(
    filing_id: UUID, data: FilingSubmit, session: Session, caller: Enterprise, response: Response
) -> FilingPublic:
    """The holder submits its mining plan (with a `plan_map` attached) or reserve verification (with
    a `report` attached); publishes `rights.filing.submitted` with the deadline met. An overdue
    filing may still be submitted and is marked `late`.
    """
    filing = await service.submit(session=session, filing_id=filing_id, data=data, caller=caller)
    return versioned(response, filing)
