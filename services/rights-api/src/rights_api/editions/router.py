"""HTTP for the next edition: copy to a draft, publish, compare, see the impact. Bureau only;
publishing is the admin's."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from servicekit.deps import Admin, Bureau, Session
from servicekit.errors import problem_doc

from rights_api.answers import created, versioned
from rights_api.editions import diff, service
from rights_api.editions.impact import impact as dry_run
from rights_api.editions.schemas import EditionDiff, Impact
from rights_api.plan import service as plans
from rights_api.plan.schemas import DraftFrom, PlanEditionPublic, Publish

router = APIRouter(prefix="/plan-editions", tags=["plan 矿产资源规划"])
NOT_FOUND = {404: problem_doc("No such plan edition 无此规划版本")}
INCOMPLETE = problem_doc(
    "The draft is not complete: `violations` lists every missing piece (`field`, `code`, "
    "`message_zh`, `message_en`) 规划草案不完整"
)
PUBLISH_EXAMPLES = {
    "next": {
        "summary": "The next edition from 2027-01-01 下一轮规划自2027年1月1日起施行",
        "value": {"effective_from": "2027-01-01"},
    }
}


@router.post(
    "/{edition_id}/drafts",
    status_code=201,
    summary="Draft the next edition from this one 以此版本起草新一轮规划",
    responses={**NOT_FOUND, 409: problem_doc("Code already used")},
)
async def copy_to_draft(
    edition_id: UUID, data: DraftFrom, session: Session, _: Admin, response: Response
) -> PlanEditionPublic:
    """A new **draft** holding every part of edition `edition_id` (usually the one in force:
    `GET /plan-editions/current`), under a new `code`, with no effective date. Edit it with
    `PATCH /plan-editions/{id}`, compare it, see its impact, then publish it.
    """
    edition = await plans.copy_to_draft(session=session, edition_id=edition_id, data=data)
    body = plans.public(edition)
    return created(response, body, f"/plan-editions/{body.id}")


@router.post(
    "/{edition_id}/publish",
    summary="Publish a draft edition 发布规划",
    responses={**NOT_FOUND, 409: problem_doc("Already published"), 422: INCOMPLETE},
)
async def publish(
    edition_id: UUID,
    data: Annotated[Publish, Body(openapi_examples=PUBLISH_EXAMPLES)],
    session: Session,
    caller: Admin,
    response: Response,
) -> PlanEditionPublic:
    """Checks the draft completely — a title, a period containing the effective date, the
    minerals with minimum scales (专栏五), the city cap (专栏二), the mine caps (专栏四), the
    concentrated zones (专栏三), the prohibited areas, the targets (专栏二), the planned new
    rights, the admission settings; the effective date not before today (Beijing time) and not
    another published edition's — and answers 422 listing every missing piece. Otherwise the
    edition is published (who and when recorded; `rights.plan_edition.published`): applications
    filed from its `effective_from` are judged by it, those filed before by the edition then in
    force.
    """
    edition = await service.publish(session=session, edition_id=edition_id, data=data, actor=caller)
    return versioned(response, plans.public(edition))


@router.get(
    "/{edition_id}/diff/{other_id}",
    summary="Compare two editions 规划版本对比",
    responses={**NOT_FOUND},
)
async def compare(edition_id: UUID, other_id: UUID, session: Session, _: Bureau) -> EditionDiff:
    """Edition `other_id` against edition `edition_id` (usually a draft against the edition in
    force; `before` is the first one's value, `after` the other's): title, period,
    effective date, minimum scales, caps, targets, thresholds and the other parts value by
    value; zones, planned blocks and prohibited areas one by one (added, removed, changed: the
    geometry with its geodesic area before and after, the attributes that differ).
    """
    first = await plans.get_edition(session=session, edition_id=edition_id)
    second = await plans.get_edition(session=session, edition_id=other_id)
    return diff.compare(first, second)


@router.get(
    "/{edition_id}/impact",
    summary="What an edition would change 规划草案影响分析",
    responses={**NOT_FOUND, 422: INCOMPLETE},
)
async def impact(
    edition_id: UUID,
    session: Session,
    _: Bureau,
    on: Annotated[
        date | None,
        Query(description="The day judged; default the draft's effective date, else today"),
    ] = None,
) -> Impact:
    """A dry run of the conformance rules on every live right and of the admission rules on every
    pending application and open grant offering, with this edition as the plan: which rights
    become non-conforming and why (rule, clause; `non_conforming_now` when the edition in force
    already finds them so), which applications and offerings it would refuse. Nothing is
    written.
    """
    edition = await plans.get_edition(session=session, edition_id=edition_id)
    return await dry_run(session=session, edition=edition, on=on)
