"""Entry and review applications: the holder applies, the bureau assigns a registered evaluator,
only that organisation submits; the standard computes the result."""

import hashlib
from datetime import date
from uuid import UUID

from contracts.deadline import DeadlineAction
from contracts.greenmine import GreenApplicationFiled
from mining_rights import service as mining_rights
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, Forbidden, NotFound
from servicekit.events.outbox import publish
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.applications.models import (
    OPEN_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    Evaluation,
    EvaluatorOrg,
    GreenApplication,
)
from greenmine_api.applications.schemas import (
    ApplicationCreate,
    ApplicationFilters,
    Assignment,
    EvaluationSubmit,
    EvaluatorOrgCreate,
    PublicityOpen,
)
from greenmine_api.editions import service as editions
from greenmine_api.listings import service as listings
from greenmine_api.listings.models import ListingStatus
from greenmine_api.publicity import service as publicity
from greenmine_api.publicity.models import Publicity
from greenmine_api.queries import save
from greenmine_api.rectifications import service as rectifications
from greenmine_api.standards import service as standards
from greenmine_api.standards.models import Standard

# closing or ended by the bureau (revoked, expired: in the closure path) mines apply no more
CLOSED_MINE_STATES = {"closing", "closed", "closed_by_policy", "revoked", "expired"}


async def register_org(*, session: AsyncSession, data: EvaluatorOrgCreate) -> EvaluatorOrg:
    if await session.get(EvaluatorOrg, data.id) is not None:
        raise Conflict(f"Evaluator organisation {data.id} is already registered.")
    return await save(session, EvaluatorOrg(**data.model_dump()))


async def list_orgs(*, session: AsyncSession, page: PageParams) -> Page[EvaluatorOrg]:
    return await paginate(
        session, select(EvaluatorOrg), page, order=(EvaluatorOrg.name, EvaluatorOrg.id)
    )


async def file(
    *, session: AsyncSession, data: ApplicationCreate, caller: Principal
) -> GreenApplication:
    mine = await mining_rights.get(session=session, right_id=data.right_id)
    caller.ensure_holder(mine.holder_id)
    if mine.kind != "mining" or mine.status in CLOSED_MINE_STATES:
        raise Conflict(
            f"Only an active mining right can apply (this one is {mine.kind}, {mine.status})."
        )
    listing = await listings.active_for_right(session, mine.right_id)
    if data.kind == ApplicationKind.entry and listing is not None:
        raise Conflict(
            "The mine is already on the list; apply for its review instead.",
            listing_id=str(listing.id),
        )
    if data.kind == ApplicationKind.review and (
        listing is None or listing.status != ListingStatus.listed
    ):
        raise Conflict(
            "A review needs a listed mine (a rectifying mine is verified by the bureau)."
        )
    standard = await standards.default(session=session)
    application = GreenApplication(
        **data.model_dump(),
        holder_id=mine.holder_id,
        listing_id=listing.id if listing else None,
        status=ApplicationStatus.filed,
        standard_id=standard.id,
    )
    await save(session, application)  # the partial unique index refuses a second open one
    await publish(
        session,
        GreenApplicationFiled(**application.model_dump(), application_id=application.id),
        subject=str(mine.right_id),
    )
    if listing is not None:  # the review application deadline is met
        await listings.publish_review_due(
            session, listing, await editions.active(session), DeadlineAction.met
        )
        await listings.note(
            session,
            listing,
            clock.local_today(application.filed_at),
            "review_applied",
            application_id=str(application.id),
        )
    return application


async def get(
    *, session: AsyncSession, application_id: UUID, caller: Principal, for_update: bool = False
) -> GreenApplication:
    """Enterprises see their own applications; evaluators those assigned to their organisation
    (anything else is 404, so ids of others' applications reveal nothing)."""
    application = await session.get(GreenApplication, application_id, with_for_update=for_update)
    if application is None or not _visible(application, caller):
        raise NotFound(f"No application {application_id}.")
    return application


def _visible(application: GreenApplication, caller: Principal) -> bool:
    if caller.is_bureau:
        return True
    if caller.own_holder is not None:
        return caller.sees_holder(application.holder_id)
    if caller.own_org is not None:
        return application.org_id == caller.own_org
    return False


async def list_applications(
    *, session: AsyncSession, caller: Principal, page: PageParams, filters: ApplicationFilters
) -> Page[GreenApplication]:
    query = select(GreenApplication)
    if not caller.is_bureau:
        if caller.own_holder is not None:
            query = query.where(GreenApplication.holder_id == caller.own_holder)
        elif caller.own_org is not None:
            query = query.where(GreenApplication.org_id == caller.own_org)
        else:
            raise Forbidden(
                "Only the bureau, the applicant and the assigned evaluator see applications."
            )
    if filters.status:
        query = query.where(GreenApplication.status == filters.status)
    return await paginate(
        session, query, page, order=(GreenApplication.filed_at, GreenApplication.id)
    )


def _touch(session: AsyncSession, application: GreenApplication) -> None:
    application.version += 1
    session.add(application)


async def assign(
    *, session: AsyncSession, application_id: UUID, caller: Principal, data: Assignment
) -> GreenApplication:
    application = await get(
        session=session, application_id=application_id, caller=caller, for_update=True
    )
    if application.status not in (ApplicationStatus.filed, ApplicationStatus.assigned):
        raise Conflict(
            f"The application is {application.status}; the evaluator can no longer change."
        )
    org = await session.get(EvaluatorOrg, data.org_id)
    if org is None or not org.active:
        raise Conflict(f"{data.org_id} is not a registered evaluator organisation.")
    application.org_id, application.status = org.id, ApplicationStatus.assigned
    application.assigned_at = clock.now()
    _touch(session, application)
    await session.flush()
    return application


async def submit_evaluation(
    *,
    session: AsyncSession,
    application_id: UUID,
    caller: Principal,
    data: EvaluationSubmit,
    report: bytes,
    report_filename: str,
    report_content_type: str,
) -> GreenApplication:
    """Only the assigned organisation's evaluators; the result comes from the standard. A
    failed review opens a rectification at once."""
    application = await get(
        session=session, application_id=application_id, caller=caller, for_update=True
    )
    if caller.own_org is None or application.org_id != caller.own_org:
        raise NotFound(f"No application {application.id}.")
    if application.status != ApplicationStatus.assigned:
        raise Conflict(f"The application is {application.status}, not waiting for an evaluation.")
    if not report:
        raise Conflict("The evaluation report (file) is empty.")
    standard = await session.get(Standard, application.standard_id)
    result = standards.evaluate(standard, scores=data.scores, prerequisites=data.prerequisites)
    evaluation = Evaluation(
        application_id=application.id,
        org_id=caller.own_org,
        standard_id=standard.id,
        scores={k: str(v) for k, v in data.scores.items()},
        prerequisites=data.prerequisites,
        team=[m.model_dump() for m in data.team],
        result=result.model_dump(mode="json"),
        total=result.total,
        passed=result.passed,
        report_filename=report_filename[:200],
        report_content_type=report_content_type[:100],
        report_size=len(report),
        report_sha256=hashlib.sha256(report).hexdigest(),
        report=report,
        submitted_by=caller.subject,
    )
    session.add(evaluation)
    application.status = ApplicationStatus.passed if result.passed else ApplicationStatus.failed
    if not result.passed:
        application.decided_at = clock.now()
    _touch(session, application)
    await session.flush()
    if application.kind == ApplicationKind.review and not result.passed:
        listing = await listings.get(session, application.listing_id, for_update=True)
        await rectifications.order(
            session=session,
            listing=listing,
            reason="review_failed",
            today=clock.local_today(),
            detail="; ".join(result.reasons),
        )
    return application


async def evaluation_of(session: AsyncSession, application_id: UUID) -> Evaluation | None:
    return (
        await session.exec(select(Evaluation).where(Evaluation.application_id == application_id))
    ).first()


async def open_publicity(
    *, session: AsyncSession, application_id: UUID, caller: Principal, data: PublicityOpen | None
) -> Publicity:
    application = await get(
        session=session, application_id=application_id, caller=caller, for_update=True
    )
    if application.status != ApplicationStatus.passed:
        raise Conflict(
            f"Only a passed evaluation goes to publicity (this one is {application.status})."
        )
    mine = await mining_rights.get(session=session, right_id=application.right_id)
    pub = await publicity.open(
        session=session,
        kind=application.kind,
        mine=mine,
        starts_on=(data.starts_on if data else None) or clock.local_today(),
        application_id=application.id,
    )
    application.status = ApplicationStatus.publicity
    _touch(session, application)
    return pub


async def report(
    *, session: AsyncSession, application_id: UUID, caller: Principal
) -> tuple[Evaluation, bytes]:
    """The evaluation and its report file as submitted."""
    application = await get(session=session, application_id=application_id, caller=caller)
    evaluation = await evaluation_of(session, application.id)
    if evaluation is None:
        raise NotFound("No evaluation submitted yet.")
    content = await session.scalar(select(Evaluation.report).where(Evaluation.id == evaluation.id))
    return evaluation, content


def open_reviews():
    """The listings whose review application is under way (a subquery)."""
    return select(GreenApplication.listing_id).where(
        GreenApplication.kind == ApplicationKind.review,
        GreenApplication.status.in_(OPEN_STATUSES),
    )


async def cancel_open(session: AsyncSession, *, right_id: UUID) -> None:
    """The mine closed or changed hands: its open application is cancelled."""
    for application in (
        await session.exec(
            select(GreenApplication)
            .where(
                GreenApplication.right_id == right_id, GreenApplication.status.in_(OPEN_STATUSES)
            )
            .with_for_update()
        )
    ).all():
        application.status = ApplicationStatus.cancelled
        _touch(session, application)


async def conclude_publicity(
    *, session: AsyncSession, pub: Publicity, upheld: bool, today: date
) -> None:
    """An entry or review publicity closed: approved or rejected; an entry passed is listed, a
    review passed confirmed, a review with an objection upheld goes to rectification."""
    application = await session.get(GreenApplication, pub.application_id, with_for_update=True)
    application.status = ApplicationStatus.rejected if upheld else ApplicationStatus.approved
    application.decided_at = pub.closed_at
    _touch(session, application)
    if pub.kind == ApplicationKind.entry:
        if not upheld:
            await listings.list_mine(
                session=session,
                right=await mining_rights.get(session=session, right_id=pub.right_id),
                entry_date=today,
                source="evaluation",
                today=today,
                application_id=application.id,
                evaluator_org_id=application.org_id,
            )
        return
    listing = await listings.get(session, application.listing_id, for_update=True)
    if upheld:
        await rectifications.order(
            session=session, listing=listing, reason="review_objection_upheld", today=today
        )
    else:
        await listings.confirm_review(
            session=session,
            listing=listing,
            application_id=application.id,
            org_id=application.org_id,
            today=today,
        )
