"""HTTP for evaluator organisations, applications, evaluations and their publicity."""

import mimetypes
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.deps import Admin, Bureau, BureauOrHolder, Evaluator, Paging, Session
from servicekit.downloads import download
from servicekit.errors import FieldError, problem_doc, validation_error
from servicekit.pagination import Page
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications import service
from greenmine_api.applications.models import GreenApplication
from greenmine_api.applications.schemas import (
    ApplicationCreate,
    ApplicationFilters,
    ApplicationPublic,
    Assignment,
    EvaluationPublic,
    EvaluationSubmit,
    EvaluatorOrgCreate,
    EvaluatorOrgPublic,
    PublicityOpen,
)
from greenmine_api.publicity.schemas import PublicityPublic
from greenmine_api.responses import PUBLIC

router = APIRouter(tags=["applications 遴选与复查"])
# the bureau, the applicant and the assigned evaluator
Party = Annotated[Principal, Depends(require(*BUREAU, Role.enterprise, Role.evaluator))]
NOT_FOUND = {404: problem_doc("No such application, or not yours")}


@router.post(
    "/evaluators",
    status_code=201,
    tags=["evaluators 第三方评估机构"],
    summary="Register an evaluator organisation 登记第三方评估机构",
    responses={409: problem_doc("Already registered")},
)
async def register_org(data: EvaluatorOrgCreate, session: Session, _: Admin) -> EvaluatorOrgPublic:
    """Only registered organisations can be assigned. `id` is the `org_id` claim of its evaluators'
    tokens.
    """
    return EvaluatorOrgPublic.model_validate(
        await service.register_org(session=session, data=data), from_attributes=True
    )


@router.get(
    "/evaluators",
    tags=["evaluators 第三方评估机构"],
    summary="Registered evaluator organisations 第三方评估机构名录",
    responses=PUBLIC,
)
async def list_orgs(session: Session, page: Paging) -> Page[EvaluatorOrgPublic]:
    """Public."""
    rows = await service.list_orgs(session=session, page=page)
    return rows.shaped(EvaluatorOrgPublic)


async def _public(session: AsyncSession, application: GreenApplication) -> ApplicationPublic:
    out = ApplicationPublic.model_validate(application, from_attributes=True)
    evaluation = await service.evaluation_of(session, application.id)
    if evaluation is not None:
        out.evaluation = EvaluationPublic.model_validate(evaluation, from_attributes=True)
    return out


@router.post(
    "/applications",
    status_code=201,
    summary="Apply for the list or its review 申请绿色矿山遴选或复查",
    responses={
        404: problem_doc("Unknown mining right"),
        409: problem_doc("Already listed, or an application is open"),
    },
)
async def file_application(
    data: ApplicationCreate, session: Session, caller: BureauOrHolder, response: Response
) -> ApplicationPublic:
    """The mine's holder applies (an enterprise for its own mines only). `entry` for a mine not on
    the list, `review` for a listed mine (due 6 months before its review date). Publishes
    `greenmine.application.filed`.
    """
    application = await service.file(session=session, data=data, caller=caller)
    response.headers["Location"] = f"/applications/{application.id}"
    return await _public(session, application)


@router.get("/applications", summary="Applications 申请列表")
async def list_applications(
    session: Session, caller: Party, page: Paging, filters: Annotated[ApplicationFilters, Query()]
) -> Page[ApplicationPublic]:
    """The bureau sees all; an enterprise its own; an evaluator those assigned to its
    organisation."""
    rows = await service.list_applications(
        session=session, caller=caller, page=page, filters=filters
    )
    return rows.with_items([await _public(session, r) for r in rows.items])


@router.get(
    "/applications/{application_id}", summary="One application 申请详情", responses=NOT_FOUND
)
async def get_application(
    application_id: UUID, session: Session, caller: Party
) -> ApplicationPublic:
    """With the evaluation and its computed result once submitted."""
    return await _public(
        session, await service.get(session=session, application_id=application_id, caller=caller)
    )


@router.post(
    "/applications/{application_id}/assignment",
    summary="Assign the evaluator 指定第三方评估机构",
    responses={**NOT_FOUND, 409: problem_doc("Not registered, or too late")},
)
async def assign(
    application_id: UUID, data: Assignment, session: Session, caller: Bureau
) -> ApplicationPublic:
    """The bureau buys the evaluation from a registered organisation; only that organisation's
    evaluators may then submit.
    """
    application = await service.assign(
        session=session, application_id=application_id, caller=caller, data=data
    )
    return await _public(session, application)


@router.post(
    "/applications/{application_id}/evaluation",
    status_code=201,
    summary="Submit the evaluation 提交评估结果",
    responses={**NOT_FOUND, 409: problem_doc("Not waiting for an evaluation")},
)
async def submit_evaluation(
    application_id: UUID,
    request: Request,
    session: Session,
    caller: Evaluator,
    evaluation: Annotated[str, Form(description="EvaluationSubmit as JSON")],
    report: Annotated[UploadFile, File(description="The evaluation report 评估报告")],
) -> ApplicationPublic:
    """multipart/form-data: `evaluation` (JSON: item scores, prerequisite answers, a team of at
    least 5) and `report` (the evaluation report file). Only evaluators of the assigned
    organisation; others get 404. The result is computed by the application's standard, never
    typed in. A failed review opens a 6-month rectification at once.
    """
    try:
        data = EvaluationSubmit.model_validate_json(evaluation)
    except ValidationError as exc:
        raise validation_error(
            [
                FieldError(
                    field=".".join(["body", "evaluation", *map(str, e["loc"])]),
                    message=e["msg"],
                    type=e["type"],
                )
                for e in exc.errors()
            ]
        ) from None
    limit = request.app.state.settings.report_max_bytes
    content = await report.read(limit + 1)
    if len(content) > limit:
        raise validation_error(
            [FieldError(field="body.report", message=f"larger than {limit} bytes")]
        )
    application = await service.submit_evaluation(
        session=session,
        application_id=application_id,
        caller=caller,
        data=data,
        report=content,
        report_filename=report.filename or "report",
        report_content_type=report.content_type or "application/octet-stream",
    )
    return await _public(session, application)


@router.get(
    "/applications/{application_id}/evaluation/report",
    summary="Download the evaluation report 下载评估报告",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"application/pdf": {}}}},
)
async def download_report(application_id: UUID, session: Session, caller: Party) -> Response:
    """The file as submitted; its SHA-256 is in the evaluation."""
    evaluation, content = await service.report(
        session=session, application_id=application_id, caller=caller
    )
    extension = mimetypes.guess_extension(evaluation.report_content_type) or ""
    return download(
        content, media_type=evaluation.report_content_type, filename=f"{evaluation.id}{extension}"
    )


@router.post(
    "/applications/{application_id}/publicity",
    status_code=201,
    tags=["publicity 公示"],
    summary="Open publicity 公示",
    responses={**NOT_FOUND, 409: problem_doc("Not a passed evaluation")},
)
async def open_publicity(
    application_id: UUID, session: Session, caller: Bureau, data: PublicityOpen | None = None
) -> PublicityPublic:
    """A passed evaluation is published for the edition's number of working days (default 5,
    mainland statutory calendar: a period across 国庆节 ends after the holiday).
    """
    pub = await service.open_publicity(
        session=session, application_id=application_id, caller=caller, data=data
    )
    return PublicityPublic.model_validate(pub, from_attributes=True)
