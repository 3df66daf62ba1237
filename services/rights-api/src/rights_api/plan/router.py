"""HTTP for plan editions: public reads, admin writes."""

import json
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from servicekit import clock
from servicekit.concurrency import IfMatch
from servicekit.deps import Admin, Paging, Public, Session, Visitor
from servicekit.errors import NotFound, problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.plan import service
from rights_api.plan.disclosure import HEADERS, disclose, documented
from rights_api.plan.schemas import (
    PlanDraftCreate,
    PlanEditionPublic,
    PlanEditionSummary,
    PlanEditionUpdate,
)

router = APIRouter(prefix="/plan-editions", tags=["plan 矿产资源规划"])
NOT_FOUND = {404: problem_doc("No such plan edition 无此规划版本")}
# bureau staff also see drafts; "today" picks the edition in force
EditionsCache = Annotated[None, cached("plan_editions", by_caller=True)]
InForceCache = Annotated[None, cached("plan_editions", by_day=True)]
CLASH = {409: problem_doc("Code or effective date already used")}


@router.get("", summary="Plan editions 规划版本列表")
async def list_editions(
    session: Session, caller: Visitor, page: Paging, _cache: EditionsCache
) -> Page[PlanEditionSummary]:
    """Every published edition of the city's mineral resources master plan, oldest first.
    Public: the plan is a published document (第七章). Bureau staff also see the drafts
    (`status: draft`), undated ones last.
    """
    rows = await service.list_editions(session=session, page=page, caller=caller)
    return rows.shaped(PlanEditionSummary)


@router.get(
    "/current",
    summary="The edition in force today 现行规划",
    responses={**NOT_FOUND, **documented()},
)
async def current_edition(session: Session, _: Public, response: Response) -> PlanEditionPublic:
    """The published edition that judges an application filed today: minimum scales (专栏五),
    mine caps (专栏四), the city cap (专栏二), concentrated zones (专栏三) and prohibited areas as
    GeoJSON FeatureCollections. Geometry the plan does not give is demo data and says so in a
    flag (`illustrative: true`, 示意); names carry the plan's words only. An edition past its
    period stays in force until the next one takes effect: `past_period: true` and the headers
    `Plan-Edition` and `Plan-Edition-Past-Period` say so.
    """
    today = clock.local_today()
    edition = await service.edition_in_force(session=session, on=today)
    disclose(response, code=edition.code, period_end=edition.period_end, on=today)
    return versioned(response, service.public(edition, today))


@router.get("/{edition_id}", summary="A plan edition 规划版本详情", responses={**NOT_FOUND})
async def get_edition(
    edition_id: UUID, session: Session, caller: Visitor, response: Response
) -> PlanEditionPublic:
    """A published edition, for anyone; a draft, for bureau staff only (404 to the others)."""
    edition = await service.get_visible(session=session, edition_id=edition_id, caller=caller)
    return versioned(response, service.public(edition))


@router.post("", status_code=201, summary="Start a draft edition 新建规划草案", responses=CLASH)
async def create_edition(
    data: PlanDraftCreate, session: Session, _: Admin, response: Response
) -> PlanEditionPublic:
    """Creates a **draft** (`status: draft`) with the parts sent: a draft never judges anything.
    Complete it with `PATCH`, compare it (`/plan-editions/{a}/diff/{b}`), see its impact
    (`/plan-editions/{id}/impact`) and publish it (`/plan-editions/{id}/publish`), which checks
    it is complete and sets its effective date (第七章: the next edition replaces the numbers
    without code changes). Copying the edition in force is usually easier:
    `POST /plan-editions/{id}/drafts`.
    """
    edition = service.public(await service.create_draft(session=session, data=data))
    return created(response, edition, f"/plan-editions/{edition.id}")


@router.patch(
    "/{edition_id}",
    summary="Edit a draft or adjust an edition 编辑草案/规划调整",
    responses={
        **NOT_FOUND,
        409: problem_doc("A part a published edition does not change in place (`fields`)"),
        412: problem_doc("Changed since you read it"),
        428: problem_doc("If-Match missing"),
    },
)
async def update_edition(
    edition_id: UUID,
    changes: PlanEditionUpdate,
    session: Session,
    _: Admin,
    response: Response,
    if_match: IfMatch,
) -> PlanEditionPublic:
    """Replaces the parts sent. Send `If-Match` with the ETag you read. A **draft** takes every
    part: title, period, proposed effective date, minimum scales, caps, zones, planned blocks,
    prohibited areas, targets, thresholds... A **published** edition takes in place only the
    adjustments 规划调整 (第七章二) it always took: real boundaries for the demo ones (zones,
    prohibited areas, planned blocks, city), the bureau's settings (three-rate thresholds,
    market-grant periods, admission settings, named deadlines) and the caps; its title, period,
    effective date, minimum scales, targets and planned new rights change only through a new
    draft (409 naming the `fields` refused).
    """
    edition = await service.update_edition(
        session=session, edition_id=edition_id, changes=changes, if_match=if_match
    )
    return versioned(response, service.public(edition))


zones_router = APIRouter(prefix="/zones", tags=["plan 矿产资源规划"])


@zones_router.get(
    "",
    summary="Zones and planned blocks in force 集中开采区与开采规划区块",
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "FeatureCollection",
            "headers": HEADERS,
        },
        **NOT_FOUND,
    },
)
async def zones(session: Session, _: Public, _cache: InForceCache) -> Response:
    """The concentrated mining zones (专栏三) and planned blocks of the edition in force today, as a
    GeoJSON FeatureCollection for GIS tools. Demo geometry says so (`illustrative: true`, 示意),
    never in its name. The headers `Plan-Edition` and `Plan-Edition-Past-Period` name the
    edition and whether it is past its period.
    """
    today = clock.local_today()
    edition = await service.edition_in_force(session=session, on=today)
    zones = service.public(edition, today).zones
    collection = zones.model_dump(mode="json", exclude_none=True) if zones else {}
    response = Response(
        json.dumps(collection, ensure_ascii=False), media_type="application/geo+json"
    )
    disclose(response, code=edition.code, period_end=edition.period_end, on=today)
    return response


@zones_router.get(
    "/{code}",
    summary="One zone 集中开采区详情",
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "Feature",
            "headers": HEADERS,
        },
        404: problem_doc("No such zone in the edition in force 无此开采区"),
    },
)
async def zone(code: str, session: Session, _: Public, _cache: InForceCache) -> Response:
    """A zone of the edition in force, e.g. `SCJ001` 乌希根楚建筑用花岗岩矿集中开采区 (headers as
    `/zones`)."""
    today = clock.local_today()
    edition = await service.edition_in_force(session=session, on=today)
    zones = service.public(edition, today).zones
    for feature in zones.features if zones else []:
        if feature.properties.code == code:
            body = feature.model_dump(mode="json", exclude_none=True)
            response = Response(
                json.dumps(body, ensure_ascii=False), media_type="application/geo+json"
            )
            disclose(response, code=edition.code, period_end=edition.period_end, on=today)
            return response
    raise NotFound(f"No zone {code} in plan edition {edition.code}.")
