"""A draft's impact, as a dry run: the conformance rules (``conformance.judging``) on every live
right and the admission rules (``applications.rules``) on every pending application and open
grant offering, with the draft as the edition. The same rules, never a copy; nothing written."""

from datetime import date

from contracts.mining import Scale
from servicekit import clock
from servicekit.errors import NotFound
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.rules import assess, assess_offering
from rights_api.applications.schemas import ApplicationStatus
from rights_api.applications.service import REQUEST
from rights_api.conformance.judging import Judged, judge
from rights_api.editions.diff import ref
from rights_api.editions.publishing import incomplete, missing_pieces
from rights_api.editions.schemas import (
    Finding,
    Impact,
    NonConformingRight,
    RefusedApplication,
    RefusedOffering,
)
from rights_api.offerings.models import OPEN, GrantOffering
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import Violation


async def impact(*, session: AsyncSession, edition: PlanEdition, on: date | None) -> Impact:
    """Judge the register by ``edition`` on ``on`` (default: its effective date, else today).
    422 when the draft lacks a part the rules read (the same list publishing gives)."""
    day = on or edition.effective_from or clock.local_today()
    _judgeable(edition, day)
    plan = plans.view(edition)
    try:
        current = await plans.edition_in_force(session=session, on=day)
    except NotFound:
        current = None
    now = set()
    if current is not None and current.id != edition.id:
        now = {j.right.id for j in await judge(session=session, edition=current, on=day)}
    rights: dict = {}
    for judged in await judge(session=session, edition=edition, on=day):
        rights.setdefault(judged.right.id, []).append(judged)
    applications = []
    for application in await _pending(session):
        request = REQUEST.validate_python(application.request)
        assessment = await assess(
            session=session,
            request=request,
            plan=plan,
            on=day,
            principal=None,
            application_id=application.id,
        )
        if assessment.violations:
            applications.append(
                RefusedApplication(
                    application_id=application.id,
                    kind=application.kind,
                    mine_name=application.mine_name,
                    holder_id=application.holder_id,
                    reasons=assessment.violations,
                )
            )
    offerings = []
    for offering in await _open_offerings(session):
        reasons = await _offering_reasons(session, plan, offering)
        if reasons:
            offerings.append(
                RefusedOffering(
                    offering_id=offering.id,
                    block_id=offering.block_id,
                    mine_name=offering.mine_name,
                    state=offering.state,
                    reasons=reasons,
                )
            )
    return Impact(
        edition=ref(edition),
        as_of=day,
        compared_with=current.code if current is not None else None,
        non_conforming_rights=[
            _right(found, right_id in now) for right_id, found in rights.items()
        ],
        refused_applications=applications,
        refused_offerings=offerings,
    )


def _judgeable(edition: PlanEdition, day: date) -> None:
    """The parts the rules read must be there (title, period and date are publishing's)."""
    missing = [
        m
        for m in missing_pieces(edition, day, today=day, taken_by=None)
        if m.field not in ("title", "period_start", "period_end", "effective_from")
    ]
    if missing:
        raise incomplete(edition, missing, "lacks what the rules read")


def _right(found: list[Judged], now: bool) -> NonConformingRight:
    right = found[0].right
    return NonConformingRight(
        right_id=right.id,
        licence_no=right.licence_no,
        mine_name=right.mine_name,
        mineral=right.mineral,
        non_conforming_now=now,
        reasons=[
            Finding(
                rule=j.rule,
                clause=j.clause,
                message_zh=j.zh,
                message_en=j.en,
                numbers=j.numbers,
                illustrative=j.illustrative,
            )
            for j in found
        ],
    )


async def _pending(session: AsyncSession) -> list[Application]:
    query = (
        select(Application)
        .where(Application.status == ApplicationStatus.filed.value)
        .order_by(Application.filed_at, Application.id)
    )
    return list((await session.exec(query)).all())


async def _open_offerings(session: AsyncSession) -> list[GrantOffering]:
    query = (
        select(GrantOffering)
        .where(GrantOffering.state.in_([s.value for s in OPEN]))
        .order_by(GrantOffering.created_at, GrantOffering.id)
    )
    return list((await session.exec(query)).all())


async def _offering_reasons(
    session: AsyncSession, plan: plans.PlanView, offering: GrantOffering
) -> list[Violation]:
    block = plan.content.block(offering.block_id)
    if block is None:
        return [
            Violation(
                code="block_not_planned",
                clause="第五章第一节",
                message_zh=f"规划草案{plan.code}中没有开采规划区块{offering.block_id}",
                message_en=f"the draft {plan.code} has no planned block {offering.block_id}",
                numbers={"block_id": offering.block_id},
            )
        ]
    assessment = await assess_offering(
        session=session,
        block=block,
        scale=Scale(value=offering.scale_value, unit=offering.scale_unit),
        plan=plan,
        offering_id=offering.id,
    )
    return assessment.violations
