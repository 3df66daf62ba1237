"""HTTP for the expert pool and spot checks 双随机、一公开."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Admin, Bureau, BureauOrInspector, Paging, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.responses import PUBLIC
from greenmine_api.spotchecks import service
from greenmine_api.spotchecks.models import SpotCheck
from greenmine_api.spotchecks.schemas import (
    ExpertCreate,
    ExpertPublic,
    FindingCreate,
    FindingPublic,
    SpotCheckCreate,
    SpotCheckPublic,
)

router = APIRouter(tags=["spot checks 双随机抽查"])
ChecksCache = Annotated[None, cached("spot_checks", "spot_check_findings")]
NOT_FOUND = {404: problem_doc("No such spot check")}


async def _public(session: AsyncSession, check: SpotCheck) -> SpotCheckPublic:
    found = (
        await service.findings(session=session, check_id=check.id)
        if check.status == "published"
        else []
    )
    return SpotCheckPublic(
        **check.model_dump(),
        algorithm_description=service.__doc__,
        findings=[FindingPublic.model_validate(f, from_attributes=True) for f in found],
    )


@router.post("/experts", status_code=201, summary="Add an expert to the pool 专家入库")
async def add_expert(data: ExpertCreate, session: Session, _: Admin) -> ExpertPublic:
    """With the holders and evaluator organisations the expert is tied to: such experts are excluded
    from checking those mines before any draw (回避).
    """
    return ExpertPublic.model_validate(
        await service.add_expert(session=session, data=data), from_attributes=True
    )


@router.get("/experts", summary="The expert pool 专家库")
async def list_experts(session: Session, _: Bureau, page: Paging) -> Page[ExpertPublic]:
    """Bureau staff only."""
    rows = await service.list_experts(session=session, page=page)
    return rows.shaped(ExpertPublic)


@router.post(
    "/spot-checks",
    status_code=201,
    summary="Draw a spot check 双随机抽取",
    responses={409: problem_doc("Nothing to draw, or too few experts")},
)
async def draw(data: SpotCheckCreate, session: Session, caller: Bureau) -> SpotCheckPublic:
    """Draws `share` of the mines on the list and `experts_per_mine` experts without a conflict for
    each, by the published algorithm `sha256-rank-v1`. The seed, the inputs and the result are
    stored and public at once (`greenmine.spot_check.drawn`): anyone can recompute the draw.
    """
    check = await service.draw_check(session=session, data=data, drawn_by=caller.subject)
    return await _public(session, check)


@router.get("/spot-checks", summary="Spot checks 抽查公开", responses=PUBLIC)
async def list_checks(session: Session, page: Paging, _cache: ChecksCache) -> Page[SpotCheckPublic]:
    """Public: every draw with its seed, inputs and algorithm; findings once published."""
    rows = await service.list_checks(session=session, page=page)
    return rows.with_items([await _public(session, c) for c in rows.items])


@router.get(
    "/spot-checks/{check_id}", summary="One spot check 抽查详情", responses={**PUBLIC, **NOT_FOUND}
)
async def get_check(check_id: UUID, session: Session, _cache: ChecksCache) -> SpotCheckPublic:
    """Public."""
    return await _public(session, await service.get(session=session, check_id=check_id))


@router.post(
    "/spot-checks/{check_id}/findings",
    status_code=201,
    summary="Record a finding 录入抽查结果",
    responses={**NOT_FOUND, 409: problem_doc("Not drawn, recorded, or published")},
)
async def record_finding(
    check_id: UUID, data: FindingCreate, session: Session, _: BureauOrInspector
) -> FindingPublic:
    """One per drawn mine. Not compliant: the mine gets a 6-month rectification."""
    finding = await service.record_finding(session=session, check_id=check_id, data=data)
    return FindingPublic.model_validate(finding, from_attributes=True)


@router.post(
    "/spot-checks/{check_id}/publication",
    summary="Publish the results 抽查结果公开",
    responses={**NOT_FOUND, 409: problem_doc("Findings missing")},
)
async def publish_results(check_id: UUID, session: Session, _: Bureau) -> SpotCheckPublic:
    """Once every drawn mine has a finding; `greenmine.spot_check.published`."""
    return await _public(session, await service.publish_results(session=session, check_id=check_id))
