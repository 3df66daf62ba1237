"""HTTP for legacy sites, the edition's targets and the indicators."""

from typing import Annotated
from uuid import UUID

from contracts.figures import EvaluationFigures, FiguresQuery
from fastapi import APIRouter, Path, Query, Response
from servicekit import clock
from servicekit.deps import Admin, BureauOrSystem, Officials, Paging, Session
from servicekit.errors import problem_doc
from servicekit.pagination import Page

from restoration_api.legacy import service
from restoration_api.legacy.schemas import Indicators, LegacySitePublic, TargetsSet
from restoration_api.legacy_sites.schemas import BoundarySet, LegacySiteCreate, LegacySiteFilters

router = APIRouter(tags=["legacy 历史遗留矿山与指标"])
Edition = Annotated[str, Path(pattern=r"^\d{4}-\d{4}$", examples=["2021-2025"])]
NO_SITE = {404: problem_doc("No such site")}


@router.post(
    "/legacy-sites",
    status_code=201,
    summary="Register a legacy site 登记历史遗留矿山",
    responses={409: problem_doc("Code taken")},
)
async def create_site(
    data: LegacySiteCreate, session: Session, _: Admin, response: Response
) -> LegacySitePublic:
    """A legacy or orphan site 历史遗留及无责任主体矿山 restored by the government (第六章第二节四),
    paid from a program fund. Works and acceptances name it by `legacy_site_id`.
    """
    site = await service.register_site(session=session, data=data, now=clock.now())
    response.headers["Location"] = f"/legacy-sites/{site.id}"
    return site


@router.get("/legacy-sites", summary="Legacy sites 历史遗留矿山列表")
async def list_sites(
    session: Session, _: Officials, page: Paging, filters: Annotated[LegacySiteFilters, Query()]
) -> Page[LegacySitePublic]:
    """With their works, program-fund spending and accepted area."""
    return await service.list_sites(session=session, page=page, filters=filters)


@router.get("/legacy-sites/{site_id}", summary="A legacy site 历史遗留矿山详情", responses=NO_SITE)
async def get_site(site_id: UUID, session: Session, _: Officials) -> LegacySitePublic:
    """One legacy site with its works, spending and accepted area."""
    return await service.get_site(session=session, site_id=site_id)


@router.put(
    "/legacy-sites/{site_id}/boundary",
    summary="Set a legacy site's boundary 设置历史遗留矿山治理范围",
    responses=NO_SITE,
)
async def set_boundary(
    site_id: UUID, data: BoundarySet, session: Session, _: Admin
) -> LegacySitePublic:
    """The site's area as a GeoJSON Polygon or MultiPolygon in CGCS2000 (EPSG:4490) longitude/
    latitude: rings closed, at least three corners, a valid shape near Erenhot (else a 422 naming
    `body.boundary`). `illustrative: true` marks demo data 示意; `boundary: null` removes it. The
    site then appears on `GET /legacy-sites.geojson`.
    """
    return await service.set_boundary(session=session, site_id=site_id, data=data)


@router.put(
    "/plan-targets/{edition}",
    status_code=204,
    summary="Load an edition's restoration targets 导入规划指标",
)
async def set_targets(edition: Edition, data: TargetsSet, session: Session, _: Admin) -> Response:
    """Replaces the edition's targets (专栏二 of 2021-2025: 0.52 km² of legacy sites, 46 ha
    reclaimed, 100 % restoration rate). Numbers are data per plan edition.
    """
    await service.set_targets(session=session, edition=edition, data=data)
    return Response(status_code=204)


@router.get(
    "/indicators/{edition}",
    summary="Restoration indicators vs targets 治理指标完成情况",
    responses={404: problem_doc("No targets for the edition")},
)
async def indicators(edition: Edition, session: Session, _: Officials) -> Indicators:
    """Legacy area restored (accepted legacy-site area), land reclaimed (accepted mine area) and the
    restoration rate (land restored / land occupied) over the edition's period, each against its
    target.
    """
    return await service.indicators(session=session, edition=edition, today=clock.local_today())


@router.get(
    "/evaluation-figures",
    summary="Restoration figures as of a date 治理指标评估数据",
    responses={404: problem_doc("No targets for the edition")},
)
async def evaluation_figures(
    query: Annotated[FiguresQuery, Query()], session: Session, _: BureauOrSystem
) -> EvaluationFigures:
    """The edition's restoration indicators (专栏二) computed as of the end of `as_of` from the
    records, with the acceptances and yearly land balances behind each actual: what rights-api
    reads to assemble the plan evaluation (第七章二). Acceptances before the period's start do
    not count toward the period's 0.52 km².
    """
    return await service.figures(session=session, edition=query.edition, as_of=query.as_of)
