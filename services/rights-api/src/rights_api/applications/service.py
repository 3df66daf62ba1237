"""Applications: the dry-run check, filing, review, and what approval does to the register.
Functions never commit: the request or the consumer owns the transaction."""

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.mining import LicensingLevel, RightKind, RightStatus
from contracts.restoration import AcceptancePassed
from contracts.rights import (
    ApplicationApproved,
    ApplicationFiled,
    ApplicationRejected,
    ApplicationReleased,
    ApplicationReviewOverdue,
    RightChanged,
    RightRenewed,
    RightTransferred,
)
from pydantic import TypeAdapter
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound, Unprocessable
from servicekit.events.outbox import publish
from servicekit.pagination import PageParams
from servicekit.workdays import add_workdays
from sqlalchemy import text, tuple_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.rules import Assessment, assess
from rights_api.applications.schemas import (
    ApplicationKind,
    ApplicationPublic,
    ApplicationRequest,
    ApplicationStatus,
    Change,
    CheckResult,
    Closure,
    MortgageFiling,
    NewExplorationRight,
    NewMiningRight,
    Renewal,
    Transfer,
    Waiting,
)
from rights_api.holders.models import Holder
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.rights import service as rights
from rights_api.rights.models import Right, local_today, now

GRANT_LOCK = 7_256_830_001  # transaction advisory lock: approvals that change caps or ground
REQUEST = TypeAdapter(ApplicationRequest)
KIND_ZH = {
    "new_mining_right": "采矿权新立",
    "new_exploration_right": "探矿权新立",
    "renewal": "延续",
    "transfer": "转让",
    "mortgage_filing": "抵押备案",
    "change": "变更",
    "closure": "闭坑",
}
CLOSURE_WAIT = Waiting(
    event="restoration.acceptance.passed",
    description_zh="等待闭坑矿山地质环境治理恢复工程验收通过（restoration-api 报告）",
    description_en="waiting for restoration-api to report the closure restoration accepted",
)


async def check(
    *, session: AsyncSession, request: Any, principal: Principal | None
) -> tuple[CheckResult, Assessment, plans.PlanView]:
    """The dry run: every rule, nothing written."""
    plan = await plans.plan_in_force(session=session, on=local_today())
    assessment = await assess(
        session=session, request=request, plan=plan, on=local_today(), principal=principal
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


async def file(*, session: AsyncSession, request: Any, principal: Principal) -> Application:
    """File an application that passes every rule; 422 with the violations otherwise."""
    result, assessment, plan = await check(session=session, request=request, principal=principal)
    if not result.passed:
        raise refusal(result, "Application refused")
    content = plan.content
    filed_at = now()
    right = assessment.right
    holder_id = right.holder_id if right is not None else request.holder_id
    application = Application(
        kind=request.kind,
        status=ApplicationStatus.filed,
        holder_id=holder_id,
        right_id=right.id if right is not None else None,
        edition_id=plan.id,
        mineral=right.mineral if right is not None else request.mineral,
        mine_name=right.mine_name if right is not None else request.mine_name,
        request=request.model_dump(mode="json", exclude_none=True),
        filed_at=filed_at,
        filed_by=principal.subject,
        review_due=await add_workdays(
            session, local_today(filed_at), content.rules.review_workdays
        ),
        waiting_for=CLOSURE_WAIT.model_dump() if isinstance(request, Closure) else None,
    )
    session.add(application)
    await session.flush()
    await publish(
        session,
        ApplicationFiled(
            application_id=application.id,
            kind=application.kind,
            holder_id=application.holder_id,
            right_id=application.right_id,
            mineral=application.mineral,
            filed_at=filed_at,
            deadline=review_deadline(application),
        ),
        subject=str(application.right_id) if application.right_id else None,
        key=str(application.id),
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
    return application


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
    application = await session.get(Application, application_id, with_for_update=for_update)
    if application is None or (
        principal.own_holder is not None and principal.own_holder != str(application.holder_id)
    ):
        raise NotFound(f"No application {application_id}.")
    return application


async def list_applications(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    status: ApplicationStatus | None = None,
    kind: ApplicationKind | None = None,
    holder_id: UUID | None = None,
    right_id: UUID | None = None,
) -> list[Application]:
    query = select(Application).order_by(Application.filed_at, Application.id).limit(page.limit + 1)
    if principal.own_holder is not None:
        query = query.where(Application.holder_id == UUID(principal.own_holder))
    for column, value in (
        (Application.status, status),
        (Application.kind, kind),
        (Application.holder_id, holder_id),
        (Application.right_id, right_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if page.after:
        filed_at, application_id = page.after
        query = query.where(
            tuple_(Application.filed_at, Application.id)
            > tuple_(datetime.fromisoformat(filed_at), UUID(application_id))
        )
    return list((await session.exec(query)).all())


async def public(*, session: AsyncSession, application: Application) -> ApplicationPublic:
    edition = await session.get(PlanEdition, application.edition_id)
    return ApplicationPublic(
        id=application.id,
        kind=application.kind,
        status=application.status,
        holder_id=application.holder_id,
        right_id=application.right_id,
        mineral=application.mineral,
        mine_name=application.mine_name,
        edition=edition.code if edition else "",
        request=application.request,
        filed_at=application.filed_at,
        filed_by=application.filed_by,
        review_deadline=review_deadline(application)
        if application.status == ApplicationStatus.filed
        else None,
        waiting_for=application.waiting_for,
        restoration_acceptance=application.restoration_acceptance,
        decided_at=application.decided_at,
        decided_by=application.decided_by,
        decision_reason=application.decision_reason,
        version=application.version,
    )


def _open(application: Application) -> None:
    if application.status != ApplicationStatus.filed:
        raise Conflict(f"Application {application.id} is already {application.status}.")


def _decide(application: Application, status: ApplicationStatus, actor: str, reason: str) -> None:
    application.status = status
    application.decided_at = now()
    application.decided_by = actor
    application.decision_reason = reason
    application.version += 1
    application.updated_at = application.decided_at


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
    await publish(
        session,
        ApplicationRejected(
            application_id=application.id,
            kind=application.kind,
            holder_id=application.holder_id,
            right_id=application.right_id,
            reason=reason,
            decided_at=application.decided_at,
            deadline=review_deadline(application, DeadlineAction.met),
        ),
        subject=str(application.right_id) if application.right_id else None,
        key=str(application.id),
    )
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
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=GRANT_LOCK))
    edition = await plans.get_edition(session=session, edition_id=application.edition_id)
    plan = plans.view(edition)
    assessment = await assess(
        session=session,
        request=request,
        plan=plan,
        on=local_today(application.filed_at),
        principal=None,
        application_id=application.id,
    )
    result = _result(assessment, plan)
    if not result.passed:
        raise refusal(result, "The application no longer meets the plan")
    _decide(application, ApplicationStatus.approved, actor, reason)
    why = f"{KIND_ZH[application.kind]}申请{application.id}批准：{reason}"
    right = assessment.right
    match request:
        case NewMiningRight() | NewExplorationRight():
            right = await _grant(session, application, request, assessment, actor, why)
            application.right_id = right.id
        case Renewal():
            await _renew(session, right, request, actor, why)
        case Transfer():
            await _transfer(session, right, request, actor, why)
        case MortgageFiling():
            await _mortgage(session, right, request, actor, why, application.id)
        case Change():
            await _change(session, right, request, actor, why)
        case Closure():
            await rights.change_status(
                session=session, right=right, to=RightStatus.closed, actor=actor, reason=why
            )
    session.add(application)
    await session.flush()
    await publish(
        session,
        ApplicationApproved(
            application_id=application.id,
            kind=application.kind,
            holder_id=application.holder_id,
            right_id=application.right_id,
            reason=reason,
            decided_at=application.decided_at,
            deadline=review_deadline(application, DeadlineAction.met),
        ),
        subject=str(application.right_id) if application.right_id else None,
        key=str(application.id),
    )
    return application


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def _grant(
    session: AsyncSession,
    application: Application,
    request: NewMiningRight | NewExplorationRight,
    assessment: Assessment,
    actor: str,
    why: str,
) -> Right:
    granted_on = local_today()
    kind = RightKind.mining if isinstance(request, NewMiningRight) else RightKind.exploration
    mining = isinstance(request, NewMiningRight)
    right = Right(
        licence_no=await rights.next_licence_no(session=session, kind=kind, on=granted_on),
        kind=kind,
        holder_id=request.holder_id,
        mine_name=request.mine_name,
        mineral=request.mineral,
        area_km2=request.area_km2,
        scale_value=request.scale.value if mining else None,
        scale_unit=request.scale.unit if mining else None,
        method=request.method if mining else None,
        status=RightStatus.under_construction,
        valid_from=granted_on,
        valid_to=_add_years(granted_on, request.term_years) - timedelta(days=1),
        zone=assessment.zone,
        licensing_level=LicensingLevel.city,
    )
    rights.set_boundary(right, assessment.boundary)
    holder = await session.get(Holder, request.holder_id)
    return await rights.grant(
        session=session,
        right=right,
        actor=actor,
        reason=why,
        holder_name=holder.name if holder else None,
    )


async def _renew(
    session: AsyncSession, right: Right, request: Renewal, actor: str, why: str
) -> None:
    start = max(right.valid_to + timedelta(days=1), local_today())
    before = right.valid_to
    right.valid_to = _add_years(start, request.term_years) - timedelta(days=1)
    rights.touch(right)
    session.add(right)
    await rights.record(
        session=session,
        right=right,
        actor=actor,
        action="renewed",
        reason=why,
        changes={"valid_to": [before.isoformat(), right.valid_to.isoformat()]},
    )
    await publish(
        session,
        RightRenewed(
            right_id=right.id,
            right_version=right.version,
            holder_id=right.holder_id,
            licence_no=right.licence_no,
            valid_from=right.valid_from,
            valid_to=right.valid_to,
            renewed_at=right.updated_at,
        ),
        subject=str(right.id),
    )


async def _transfer(
    session: AsyncSession, right: Right, request: Transfer, actor: str, why: str
) -> None:
    before = right.holder_id
    to = await session.get(Holder, request.to_holder_id)
    right.holder_id = request.to_holder_id
    rights.touch(right)
    session.add(right)
    await rights.record(
        session=session,
        right=right,
        actor=actor,
        action="transferred",
        reason=why,
        changes={"holder_id": [str(before), str(right.holder_id)]},
    )
    await publish(
        session,
        RightTransferred(
            right_id=right.id,
            right_version=right.version,
            licence_no=right.licence_no,
            from_holder_id=before,
            to_holder_id=right.holder_id,
            to_holder_name=to.name if to else None,
            transferred_at=right.updated_at,
        ),
        subject=str(right.id),
    )


async def _mortgage(
    session: AsyncSession,
    right: Right,
    request: MortgageFiling,
    actor: str,
    why: str,
    application_id: UUID,
) -> None:
    rights.touch(right)
    session.add(right)
    await rights.record(
        session=session,
        right=right,
        actor=actor,
        action="mortgage_filed",
        reason=why,
        changes={
            "mortgagee": request.mortgagee,
            "amount_yuan": f"{request.amount_yuan:.2f}",
            "starts_on": request.starts_on.isoformat(),
            "ends_on": request.ends_on.isoformat(),
            "application_id": str(application_id),
        },
    )


async def _change(
    session: AsyncSession, right: Right, request: Change, actor: str, why: str
) -> None:
    changes: dict[str, list[Any]] = {}
    if request.mine_name is not None and request.mine_name != right.mine_name:
        changes["mine_name"] = [right.mine_name, request.mine_name]
        right.mine_name = request.mine_name
    if request.method is not None and request.method != right.method:
        changes["method"] = [right.method, request.method.value]
        right.method = request.method
    if request.scale is not None:
        before = rights.scale_of(right)
        changes["scale"] = [
            before.model_dump(mode="json") if before else None,
            request.scale.model_dump(mode="json"),
        ]
        right.scale_value, right.scale_unit = request.scale.value, request.scale.unit
    rights.touch(right)
    session.add(right)
    await rights.record(
        session=session, right=right, actor=actor, action="changed", reason=why, changes=changes
    )
    await publish(
        session,
        RightChanged(
            right_id=right.id,
            right_version=right.version,
            holder_id=right.holder_id,
            licence_no=right.licence_no,
            mine_name=right.mine_name,
            scale=rights.scale_of(right),
            method=right.method,
            changes=sorted(changes),
            changed_at=right.updated_at,
        ),
        subject=str(right.id),
    )


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
        released_at = now()
        edition = await plans.get_edition(session=session, edition_id=application.edition_id)
        application.review_due = await add_workdays(
            session, local_today(released_at), plans.view(edition).content.rules.review_workdays
        )
        application.version += 1
        application.updated_at = released_at
        session.add(application)
        await publish(
            session,
            ApplicationReleased(
                application_id=application.id,
                kind=application.kind,
                holder_id=application.holder_id,
                right_id=application.right_id,
                released_by=AcceptancePassed.event_type,
                released_at=released_at,
                deadline=review_deadline(application),
            ),
            subject=str(application.right_id),
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
                Application.review_due < local_today(now),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for application in overdue:
        application.review_overdue_at = now
        session.add(application)
        await publish(
            session,
            ApplicationReviewOverdue(
                application_id=application.id,
                kind=application.kind,
                holder_id=application.holder_id,
                right_id=application.right_id,
                deadline=review_deadline(application, DeadlineAction.overdue),
            ),
            subject=str(application.right_id) if application.right_id else None,
            key=str(application.id),
        )
    await session.flush()
    return len(overdue)
