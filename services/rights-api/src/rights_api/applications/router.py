"""HTTP for applications: the dry-run check, filing, listing, review."""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Response
from servicekit import clock
from servicekit.auth import BUREAU, Principal, Role, require
from servicekit.concurrency import OptionalIfMatch
from servicekit.deps import Bureau, BureauOrHolder, Paging, ReadSession, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.applications import service
from rights_api.applications.schemas import (
    REQUEST_EXAMPLES,
    ApplicationFilters,
    ApplicationPublic,
    ApplicationRequest,
    CheckResult,
    Decision,
)
from rights_api.plan import service as plans
from rights_api.plan.disclosure import disclose, documented

router = APIRouter(prefix="/applications", tags=["applications 矿业权申请"])
# staff who review and other government systems, and enterprises (their own); not inspectors
Reader = Annotated[Principal, Depends(require(*BUREAU, Role.enterprise, Role.gov_system))]
Request = Annotated[ApplicationRequest, Body(openapi_examples=REQUEST_EXAMPLES)]
Filters = Annotated[ApplicationFilters, Query()]
NOT_FOUND = {404: problem_doc("No such application, or not yours 无此申请")}
REFUSED = problem_doc(
    "Refused by the plan's admission rules: `violations` lists every failed rule with its "
    "`code`, `clause`, `message_zh`, `message_en` and `numbers` 不符合规划准入条件"
)
RULES = (
    "New mining right 采矿权新立: minimum scale (专栏五), city cap on small mines (专栏二), "
    "per-mineral mine count and output caps (专栏四), inside the city, inside a concentrated "
    "zone or planned block (专栏三), outside prohibited areas (第三章第一节), no overlap with a "
    "live right (第五章第二节), required documents (第五章第三节), temporary borrow pit ≤ 3 years "
    "(第五章第一节), regional-level minerals such as fluorite refused at city level (专栏五); "
    "the boundary's rings close, do not self-intersect, and its geodesic area is within 1 % of "
    "the declared area. New exploration right: location, overlap and licensing level. Renewal: "
    "none after 2023-12-31 for a mine below the minimum scale (第四章第二节). Transfer and "
    "mortgage filing: city-licensed rights (第五章第二节). Closure: the restoration plan "
    "(第六章第二节). The published edition in force on the filing date judges; the headers "
    "`Plan-Edition` and `Plan-Edition-Past-Period` name it and say whether that day is after "
    "its period (it stays in force until the next edition takes effect)."
)


@router.post(
    "/check",
    summary="Dry-run the admission rules 申请预审（不受理）",
    description=f"Runs every rule and writes nothing. {RULES}",
    responses={404: problem_doc("Right not found"), **documented()},
)
async def check(
    request: Request, session: ReadSession, caller: BureauOrHolder, response: Response
) -> CheckResult:
    result, _, plan = await service.check(session=session, request=request, principal=caller)
    disclose(response, code=plan.code, period_end=plan.period_end, on=clock.local_today())
    return result


async def disclose_edition(
    session: ReadSession | Session, response: Response, application: ApplicationPublic
) -> None:
    """The headers naming the edition that judges ``application`` (the one in force on its
    filing day) and whether it was past its period on that day."""
    edition = await plans.get_edition(session=session, edition_id=application.edition_id)
    on = clock.local_today(application.filed_at)
    disclose(response, code=edition.code, period_end=edition.period_end, on=on)


@router.post(
    "",
    status_code=201,
    summary="File an application 提交申请",
    description="Files the application when every rule passes: it becomes `filed`, carries a "
    "review deadline (working days, statutory calendar) and `rights.application.filed` is "
    "published. A closure waits for `restoration.acceptance.passed` before it can be approved "
    f"(`waiting_for`). Otherwise 422 with `violations`. {RULES} Enterprises file only for "
    "their own holder.",
    responses={422: REFUSED, 404: problem_doc("Right not found"), **documented(201)},
)
async def file(
    request: Request, session: Session, caller: BureauOrHolder, response: Response
) -> ApplicationPublic:
    application = await service.file(session=session, request=request, principal=caller)
    await disclose_edition(session, response, application)
    return created(response, application, f"/applications/{application.id}")


@router.get("", summary="Applications 申请列表")
async def list_applications(
    session: Session, caller: Reader, page: Paging, filters: Filters
) -> Page[ApplicationPublic]:
    """Enterprises see only their own applications."""
    return await service.list_applications(
        session=session, principal=caller, page=page, filters=filters
    )


@router.get("/{application_id}", summary="An application 申请详情", responses={**NOT_FOUND})
async def get_application(
    application_id: UUID, session: Session, caller: Reader, response: Response
) -> ApplicationPublic:
    """Shows its review deadline and, for a closure, what it waits for."""
    application = await service.show(
        session=session, application_id=application_id, principal=caller
    )
    return versioned(response, application)


@dataclass
class Deciding:
    """What approving and rejecting both take: the application, the reviewer's decision (with
    its reason), and `If-Match`, optional here."""

    application_id: UUID
    decision: Decision
    session: Session
    caller: Bureau
    response: Response
    if_match: OptionalIfMatch = None

    async def decide(self, approved: bool) -> ApplicationPublic:
        application = await service.decide(
            session=self.session,
            application_id=self.application_id,
            approved=approved,
            reason=self.decision.reason,
            principal=self.caller,
            if_match=self.if_match,
        )
        await disclose_edition(self.session, self.response, application)
        return versioned(self.response, application)


DECISION_RESPONSES = {
    **NOT_FOUND,
    **documented(),
    409: problem_doc("Already decided, or still waiting (closure) 已审结或仍在等待"),
    412: problem_doc("Changed since you read it"),
}


@router.post(
    "/{application_id}/approve",
    summary="Approve 批准",
    responses={**DECISION_RESPONSES, 422: REFUSED},
)
async def approve(deciding: Annotated[Deciding, Depends()]) -> ApplicationPublic:
    """Bureau reviewers. The rules run again (the register may have changed). A new right is granted
    (licence number, validity; `rights.right.granted`); a renewal extends the validity; a transfer
    changes the holder (`rights.right.transferred`); a closure closes the mine
    (`rights.mine.closed`) once its restoration passed acceptance. `If-Match` is optional here; when
    sent, a stale ETag gets 412.
    """
    return await deciding.decide(approved=True)


@router.post("/{application_id}/reject", summary="Reject 不予批准", responses=DECISION_RESPONSES)
async def reject(deciding: Annotated[Deciding, Depends()]) -> ApplicationPublic:
    """Bureau reviewers, with a reason; publishes `rights.application.rejected`."""
    return await deciding.decide(approved=False)
