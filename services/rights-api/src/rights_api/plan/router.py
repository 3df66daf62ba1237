"""HTTP for plan editions: public reads, admin writes."""

import json
from uuid import UUID

from fastapi import APIRouter, Response
from servicekit import clock
from servicekit.concurrency import IfMatch
from servicekit.deps import Admin, Paging, Session, Visitor
from servicekit.errors import NotFound, problem_doc
from servicekit.pagination import Page

from rights_api.answers import created, versioned
from rights_api.plan import service
from rights_api.plan.schemas import (
    PlanEditionCreate,
    PlanEditionPublic,
    PlanEditionSummary,
    PlanEditionUpdate,
)

router = APIRouter(prefix="/plan-editions", tags=["plan 矿产资源规划"])
NOT_FOUND = {404: problem_doc("No such plan edition 无此规划版本")}
CLASH = {409: problem_doc("Code or effective date already used")}


@router.get("", summary="Plan editions 规划版本列表")
async def list_editions(session: Session, _: Visitor, page: Paging) -> Page[PlanEditionSummary]:
    """Every edition of the city's mineral resources master plan, oldest first. Public: the plan is
    a published document (第七章).
    """
    rows = await service.list_editions(session=session, page=page)
    return rows.shaped(PlanEditionSummary)


@router.get("/current", summary="The edition in force today 现行规划", responses={**NOT_FOUND})
async def current_edition(session: Session, _: Visitor, response: Response) -> PlanEditionPublic:
    """The edition that judges an application filed today: minimum scales (专栏五), mine caps
    (专栏四), the city cap (专栏二), concentrated zones (专栏三) and prohibited areas as GeoJSON
    FeatureCollections. Geometry the plan does not give is demo data and says so in a flag
    (`illustrative: true`, 示意); names carry the plan's words only.
    """
    edition = await service.edition_in_force(session=session, on=clock.local_today())
    return versioned(response, service.public(edition))


@router.get("/{edition_id}", summary="A plan edition 规划版本详情", responses={**NOT_FOUND})
async def get_edition(
    edition_id: UUID, session: Session, _: Visitor, response: Response
) -> PlanEditionPublic:
    edition = await service.get_edition(session=session, edition_id=edition_id)
    return versioned(response, service.public(edition))


@router.post("", status_code=201, summary="Load a new plan edition 发布新一轮规划", responses=CLASH)
async def create_edition(
    data: PlanEditionCreate, session: Session, _: Admin, response: Response
) -> PlanEditionPublic:
    """The next edition replaces the numbers without code changes (第七章). It judges applications
    filed from its `effective_from` day.
    """
    edition = service.public(await service.create_edition(session=session, data=data))
    return created(response, edition, f"/plan-editions/{edition.id}")


@router.patch(
    "/{edition_id}",
    summary="Adjust a plan edition 规划调整",
    responses={
        **NOT_FOUND,
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
    if_match: IfMatch = None,
) -> PlanEditionPublic:
    """Replaces the parts sent (for example real zone boundaries instead of the demo ones). Send
    `If-Match` with the ETag you read.
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
        200: {"content": {"application/geo+json": {}}, "description": "FeatureCollection"},
        **NOT_FOUND,
    },
)
async def zones(session: Session, _: Visitor) -> Response:
    """The concentrated mining zones (专栏三) and planned blocks of the edition in force today, as a
    GeoJSON FeatureCollection for GIS tools. Demo geometry says so (`illustrative: true`, 示意),
    never in its name.
    """
    edition = await service.edition_in_force(session=session, on=clock.local_today())
    collection = service.public(edition).zones.model_dump(mode="json", exclude_none=True)
    return Response(json.dumps(collection, ensure_ascii=False), media_type="application/geo+json")


@zones_router.get(
    "/{code}",
    summary="One zone 集中开采区详情",
    responses={
        200: {"content": {"application/geo+json": {}}, "description": "Feature"},
        404: problem_doc("No such zone in the edition in force 无此开采区"),
    },
)
async def zone(code: str, session: Session, _: Visitor) -> Response:
    """A zone of the edition in force, e.g. `SCJ001` 乌希根楚建筑用花岗岩矿集中开采区."""
    edition = await service.edition_in_force(session=session, on=clock.local_today())
    for feature in service.public(edition).zones.features:
        if feature.properties.code == code:
            body = feature.model_dump(mode="json", exclude_none=True)
            return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")
    raise NotFound(f"No zone {code} in plan edition {edition.code}.")
