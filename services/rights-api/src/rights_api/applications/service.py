"""The application workflow: the dry-run check, filing, review (approve, reject), the closure's
hold and release, and the review deadline. What approval changes in the register is
``effects.py``; the plan's admission rules are ``rules.py``. Functions never commit: the request
or the consumer owns the transaction."""

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import EventPayload
from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.mining import RightStatus
from contracts.restoration import AcceptancePassed
from contracts.rights import (
    ApplicationApproved,
    ApplicationFiled,
    ApplicationRejected,
    ApplicationReleased,
    ApplicationReviewOverdue,
)
from pydantic import TypeAdapter
from servicekit import clock
from servicekit.auth import Principal
from servicekit.concurrency import require_if_match
from servicekit.errors import Conflict, Unprocessable
from servicekit.events.outbox import publish
from servicekit.lookup import owned_or_404
from servicekit.pagination import Page, PageParams, paginate
from servicekit.workdays import add_workdays
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications import effects
from rights_api.applications.models import Application
from rights_api.applications.rules import Assessment, assess
from rights_api.applications.schemas import (
    KIND_ZH,
    ApplicationFilters,
    ApplicationKind,
    ApplicationPublic,
    ApplicationRequest,
    ApplicationStatus,
    Change,
    CheckResult,
    Closure,
    NewExplorationRight,
    NewMiningRight,
    Waiting,
)
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.versions import touch

GRANT_LOCK = 7_256_830_001  # transaction advisory lock: approvals that change caps or ground
REQUEST = TypeAdapter(ApplicationRequest)
CLOSURE_WAIT = Waiting(
    event="restoration.acceptance.passed",
    description_zh="等待闭坑矿山地质环境治理恢复工程验收通过（restoration-api 报告）",
    description_en="waiting for restoration-api to report the closure restoration accepted",
)


async def lock_grants(session: AsyncSession) -> None:
    """Wait for the other writes that add ground or output (approvals of new rights and changes,
    offerings created and awarded) until this transaction ends, so two of them cannot both pass
    the caps or the overlap test against a register missing the other."""
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=GRANT_LOCK))


async def check(
    *, session: AsyncSession, request: Any, principal: Principal | None
) -> tuple[CheckResult, Assessment, plans.PlanView]:
    """The dry run: every rule, nothing written."""
    today = clock.local_today()
    plan = await plans.plan_in_force(session=session, on=today)
    assessment = await assess(
        session=session, request=request, plan=plan, on=today, principal=principal
    )
    return _result(assessment, plan), assessment, plan


def _result(assessment: Assessment, plan: plans.PlanView) -> CheckResult:
    return CheckResult(
        passed=not assessment.violations,
        violations=assessment.violations,
        edition=plan.code,
        computed_area_km2=assessment.boundary.area_km2 if assessment.boundary else None,
        zone=assessment.zone,
    )


def refusal(result: CheckResult, what: str) -> Unprocessable:
    error = Unprocessable(
        f"{what}: {len(result.violations)} rule(s) of the plan {result.edition} not met: "
        + "; ".join(f"{v.code} ({v.clause})" for v in result.violations),
        title="The application does not meet the plan 不符合规划准入条件",
        violations=[v.model_dump(mode="json") for v in result.violations],
        edition=result.edition,
    )
    error.slug = "admission-refused"
    return error


async def _announce(
    session: AsyncSession, event: type[EventPayload], application: Application, **fields: Any
) -> None:
    """Publish ``event`` about ``application`` (its id, kind, holder and right, and ``fields``),
    keyed by its right when it has one, so it stays in order with the right's own events."""
    await publish(
        session,
        event(
            application_id=application.id,
            kind=application.kind,
            holder_id=application.holder_id,
            right_id=application.right_id,
            **fields,
        ),
        subject=str(application.right_id) if application.right_id else None,
        key=str(application.id),
    )


async def file(*, session: AsyncSession, request: Any, principal: Principal) -> ApplicationPublic:
    """File an application that passes every rule; 422 with the violations otherwise."""
    result, assessment, plan = await check(session=session, request=request, principal=principal)
    if not result.passed:
        raise refusal(result, "Application refused")
    filed_at = clock.now()
    right = assessment.right
    application = Application(
        kind=request.kind,
        status=ApplicationStatus.filed,
        holder_id=right.holder_id if right is not None else request.holder_id,
        right_id=right.id if right is not None else None,
        edition_id=plan.id,
        mineral=right.mineral if right is not None else request.mineral,
        mine_name=right.mine_name if right is not None else request.mine_name,
        request=request.model_dump(mode="json", exclude_none=True),
        filed_at=filed_at,
        filed_by=principal.subject,
        review_due=await _review_due(session, filed_at, plan),
        waiting_for=CLOSURE_WAIT.model_dump() if isinstance(request, Closure) else None,
    )
    session.add(application)
    await session.flush()
    await _announce(
        session,
        ApplicationFiled,
        application,
        mineral=application.mineral,
        filed_at=filed_at,
        deadline=review_deadline(application),
    )
    if isinstance(request, Closure) and right.status != RightStatus.closing:
        # 正在办理闭坑手续: the mine is closing from the day its closure is filed
        application.right_status_before = right.status
        session.add(application)
        await rights.change_status(
            session=session,
            right=right,
            to=RightStatus.closing,
            actor=principal.subject,
            reason=f"闭坑申请{application.id}已受理 closure application filed",
        )
    return await public(session=session, application=application)


async def _review_due(session: AsyncSession, start: datetime, plan: plans.PlanView) -> Any:
    """The review deadline: the plan's working days from ``start`` (statutory calendar)."""
    return await add_workdays(session, clock.local_today(start), plan.content.rules.review_workdays)


def review_deadline(
    application: Application, action: DeadlineAction = DeadlineAction.set
) -> Deadline:
    return Deadline(
        id=f"rights:application:{application.id}:review",
        kind="application_review",
        action=action,
        due_at=application.review_due,
        subject=str(application.right_id or application.id),
        audience=Audience(role="bureau_reviewer"),
        title_zh=f"{KIND_ZH[application.kind]}申请审查：{application.mine_name or ''}",
    )


async def get(
    *, session: AsyncSession, application_id: UUID, principal: Principal, for_update: bool = False
) -> Application:
    """404 also for another holder's application: an enterprise learns nothing of it."""
    return await owned_or_404(
        session, Application, application_id, principal, what="application", for_update=for_update
    )


async def show(
    *, session: AsyncSession, application_id: UUID, principal: Principal
) -> ApplicationPublic:
    application = await get(session=session, application_id=application_id, principal=principal)
    return await public(session=session, application=application)


async def list_applications(
    *, session: AsyncSession, principal: Principal, page: PageParams, filters: ApplicationFilters
) -> Page[ApplicationPublic]:
    query = select(Application).filter_by(**filters.model_dump(exclude_none=True))
    if principal.own_holder is not None:
        query = query.where(Application.holder_id == principal.own_holder)
    rows = await paginate(session, query, page, order=(Application.filed_at, Application.id))
    return rows.with_items([await public(session=session, application=a) for a in rows.items])


async def public(*, session: AsyncSession, application: Application) -> ApplicationPublic:
    edition = await session.get(PlanEdition, application.edition_id)
    filed = application.status == ApplicationStatus.filed
    return ApplicationPublic.model_validate(
        {
            **application.model_dump(),
            "edition": edition.code if edition else "",
            "review_deadline": review_deadline(application) if filed else None,
        }
    )


def _open(application: Application) -> None:
    if application.status != ApplicationStatus.filed:
        raise Conflict(f"Application {application.id} is already {application.status}.")


def _decide(application: Application, status: ApplicationStatus, actor: str, reason: str) -> None:
    application.status = status
    application.decided_at = clock.now()
    application.decided_by = actor
    application.decision_reason = reason
    touch(application, application.decided_at)


async def _announce_decision(
    session: AsyncSession, event: type[EventPayload], application: Application
) -> None:
    await _announce(
        session,
        event,
        application,
        reason=application.decision_reason,
        decided_at=application.decided_at,
        deadline=review_deadline(application, DeadlineAction.met),
    )


async def decide(
    *,
    session: AsyncSession,
    application_id: UUID,
    approved: bool,
    reason: str,
    principal: Principal,
    if_match: str | None,
) -> ApplicationPublic:
    """A reviewer approves or rejects. ``If-Match`` is optional on a decision; when sent, a stale
    ETag gets 412."""
    application = await get(
        session=session, application_id=application_id, principal=principal, for_update=True
    )
    if if_match is not None:
        require_if_match(if_match, application.version)
    carry_out = approve if approved else reject
    application = await carry_out(
        session=session, application=application, actor=principal.subject, reason=reason
    )
    return await public(session=session, application=application)


async def reject(
    *, session: AsyncSession, application: Application, actor: str, reason: str
) -> Application:
    _open(application)
    _decide(application, ApplicationStatus.rejected, actor, reason)
    session.add(application)
    await session.flush()
    if application.right_status_before is not None:
        right = await rights.get_right(
            session=session, right_id=application.right_id, for_update=True
        )
        if right.status == RightStatus.closing:  # unless something else moved it since
            await rights.change_status(
                session=session,
                right=right,
                to=RightStatus(application.right_status_before),
                actor=actor,
                reason=f"闭坑申请{application.id}未获批准 closure rejected: {reason}",
            )
    await _announce_decision(session, ApplicationRejected, application)
    return application


async def approve(
    *, session: AsyncSession, application: Application, actor: str, reason: str
) -> Application:
    """Approve: the rules run again against the application's own edition (the register may
    have changed since filing), then the register changes and the events go out."""
    _open(application)
    if application.waiting_for is not None:
        raise Conflict(
            "The application cannot be approved yet: it waits for "
            f"{application.waiting_for['event']} ({application.waiting_for['description_en']}).",
            waiting_for=application.waiting_for,
        )
    request = REQUEST.validate_python(application.request)
    if isinstance(request, NewMiningRight | NewExplorationRight | Change):
        # approvals that add ground or output wait for one another, so two of them cannot
        # both pass the caps or the overlap test against a register missing the other
        await lock_grants(session)
    edition = await plans.get_edition(session=session, edition_id=application.edition_id)
    plan = plans.view(edition)
    assessment = await assess(
        session=session,
        request=request,
        plan=plan,
        on=clock.local_today(application.filed_at),
        principal=None,
        application_id=application.id,
    )
    result = _result(assessment, plan)
    if not result.passed:
        raise refusal(result, "The application no longer meets the plan")
    _decide(application, ApplicationStatus.approved, actor, reason)
    right = await effects.carry_out(session, application, request, assessment)
    application.right_id = right.id
    session.add(application)
    await session.flush()
    await _announce_decision(session, ApplicationApproved, application)
    return application


async def release_closure(*, session: AsyncSession, payload: AcceptancePassed, source: str) -> int:
    """restoration-api accepted a closure restoration: the closure applications of that right
    stop waiting. Safe to run twice (a released application is left alone)."""
    if not payload.closure:
        return 0
    query = select(Application).where(
        Application.kind == ApplicationKind.closure.value,
        Application.right_id == payload.right_id,
        Application.status == ApplicationStatus.filed.value,
        Application.waiting_for.is_not(None),
    )
    if payload.application_id is not None:
        query = query.where(Application.id == payload.application_id)
    released = 0
    for application in (await session.exec(query.with_for_update())).all():
        application.waiting_for = None
        application.restoration_acceptance = {
            "acceptance_id": str(payload.acceptance_id),
            "case_id": str(payload.case_id) if payload.case_id else None,
            "accepted_on": payload.accepted_on.isoformat(),
            "accepted_area_ha": str(payload.accepted_area_ha),
        }
        # the bureau's review clock starts when the application stops waiting
        released_at = clock.now()
        edition = await plans.get_edition(session=session, edition_id=application.edition_id)
        application.review_due = await _review_due(session, released_at, plans.view(edition))
        touch(application, released_at)
        session.add(application)
        await _announce(
            session,
            ApplicationReleased,
            application,
            released_by=AcceptancePassed.event_type,
            released_at=released_at,
            deadline=review_deadline(application),
        )
        right = await session.get(Right, payload.right_id)
        if right is not None:
            await rights.record(
                session=session,
                right=right,
                actor=source,
                action="closure_restoration_accepted",
                reason=f"闭坑治理恢复验收通过 acceptance {payload.acceptance_id}",
                changes={"application_id": str(application.id)},
            )
        released += 1
    await session.flush()
    return released


async def mark_reviews_overdue(session: AsyncSession, now: datetime) -> int:
    """Job: applications still undecided after their review deadline (a closure still waiting
    for its restoration acceptance is not on the bureau's clock). Each is reported once."""
    overdue = (
        await session.exec(
            select(Application)
            .where(
                Application.status == ApplicationStatus.filed.value,
                Application.waiting_for.is_(None),
                Application.review_overdue_at.is_(None),
                Application.review_due < clock.local_today(now),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for application in overdue:
        application.review_overdue_at = now
        session.add(application)
        await _announce(
            session,
            ApplicationReviewOverdue,
            application,
            deadline=review_deadline(application, DeadlineAction.overdue),
        )
    await session.flush()
    return len(overdue)
