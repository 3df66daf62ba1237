"""HTTP for annual filings: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status
from fastapi.responses import FileResponse
from servicekit.concurrency import set_etag
from servicekit.deps import Enterprise, Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.attachments import service as attachments
from rights_api.attachments.http import Settings, file_response, read_upload
from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic, attachment_public
from rights_api.filings import service
from rights_api.filings.models import (
    AttachmentPurpose,
    Filing,
    FilingAttachment,
    FilingKind,
    FilingStatus,
)
from rights_api.filings.schemas import REQUIRED_ATTACHMENTS, FilingPublic, FilingSubmit

router = APIRouter(prefix="/filings", tags=["filings 年度报送"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the file")]
NOT_FOUND = {404: problem_doc("No such filing (or another holder's) 无此报送")}


def _attachment(link: FilingAttachment, attachment: Attachment) -> AttachmentPublic:
    return attachment_public(link, attachment, link.purpose)


def _public(filing: Filing, files: list) -> FilingPublic:
    return FilingPublic.model_validate(
        {
            **{name: getattr(filing, name) for name in Filing.model_fields},
            "required_attachment": REQUIRED_ATTACHMENTS[FilingKind(filing.kind)],
            "attachments": [_attachment(link, a) for link, a in files],
        }
    )


@router.get("", summary="List annual filings 年度报送列表")
async def list_filings(
    session: Session,
    caller: Reader,
    page: Paging,
    right_id: UUID | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2999)] = None,
    kind: FilingKind | None = None,
    status: FilingStatus | None = None,
) -> Page[FilingPublic]:
    """Obligations and submissions, in the order created. Enterprises see only their own mines'
    filings. Filter by right, year (the year the filing is for), kind, status (`owed`, `submitted`,
    `overdue`).
    """
    rows = await service.list_filings(
        session=session,
        page=page,
        caller=caller,
        right_id=right_id,
        year=year,
        kind=kind,
        status=status,
    )
    files = await service.attachments(session=session, filing_ids=[r.id for r in rows.items])
    return rows.with_items([_public(r, files[r.id]) for r in rows.items])


@router.get("/{filing_id}", summary="An annual filing 年度报送详情", responses={**NOT_FOUND})
async def get_filing(
    filing_id: UUID, session: Session, caller: Reader, response: Response
) -> FilingPublic:
    """The obligation, its due date, status, attachments and (once submitted) the submission.
    Enterprises get 404 for another holder's filings.
    """
    filing, _ = await service.get(session=session, filing_id=filing_id, caller=caller)
    files = await service.attachments(session=session, filing_ids=[filing.id])
    set_etag(response, filing.version)
    return _public(filing, files[filing.id])


@router.post(
    "/{filing_id}/attachments",
    status_code=201,
    summary="Attach a file to a filing 上传报送附件",
    responses={
        **NOT_FOUND,
        200: {"model": AttachmentPublic, "description": "Already attached 已上传"},
        409: problem_doc("Already submitted 已报送"),
        413: problem_doc("File larger than the limit 文件过大"),
        503: problem_doc("Attachment store unavailable; retry 存储暂不可用"),
        415: problem_doc("Not an accepted type (read from the bytes) 文件类型不支持"),
    },
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
    filing, right = await service.get(
        session=session, filing_id=filing_id, caller=caller, for_update=True
    )
    stored = await attachments.store(
        session=session,
        settings=config,
        data=await read_upload(file, config),
        allowed=attachments.DOCUMENT_TYPES,
    )
    link, created = await service.attach(
        session=session,
        filing=filing,
        right=right,
        attachment=stored,
        purpose=purpose,
        caller=caller,
    )
    response.status_code = 201 if created else status.HTTP_200_OK
    response.headers["Location"] = f"/filings/{filing.id}/attachments/{stored.sha256}"
    return _attachment(link, stored)


@router.get(
    "/{filing_id}/attachments/{sha256}",
    summary="Download a filing's attachment 下载报送附件",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/pdf": {}, "image/png": {}}, "description": "The file"},
        404: problem_doc("No such filing or attachment"),
    },
)
async def get_attachment(
    filing_id: UUID, sha256: Sha256, session: Session, caller: Reader, config: Settings
) -> FileResponse:
    """The file as stored, with the type found in its bytes. Whoever may read the filing may read
    its attachments; a hash alone opens nothing.
    """
    filing, _ = await service.get(session=session, filing_id=filing_id, caller=caller)
    found = await service.attachment(session=session, filing=filing, sha256=sha256)
    return file_response(config, found)


@router.post(
    "/{filing_id}/submit",
    summary="Submit a filing 提交年度报送",
    responses={
        **NOT_FOUND,
        409: problem_doc("Already submitted 已报送"),
    },
)
async def submit_filing(
    filing_id: UUID, data: FilingSubmit, session: Session, caller: Enterprise, response: Response
) -> FilingPublic:
    """The holder submits its mining plan (with a `plan_map` attached) or reserve verification (with
    a `report` attached); publishes `rights.filing.submitted` with the deadline met. An overdue
    filing may still be submitted and is marked `late`.
    """
    filing, right = await service.get(
        session=session, filing_id=filing_id, caller=caller, for_update=True
    )
    filing = await service.submit(
        session=session, filing=filing, right=right, data=data, caller=caller
    )
    files = await service.attachments(session=session, filing_ids=[filing.id])
    set_etag(response, filing.version)
    return _public(filing, files[filing.id])
