"""HTTP for random patrols: parse, authorize, call the service, shape the response."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from servicekit.deps import Bureau, Paging, Public, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from rights_api.patrols import service
from rights_api.patrols.schemas import (
    PatrolDrawCreate,
    PatrolDrawPublic,
    ProfessionalCreate,
    ProfessionalPublic,
)

router = APIRouter(tags=["patrols 随机巡查"])
DrawsCache = Annotated[None, cached("patrol_draws", "patrol_professionals")]
NOT_FOUND = {404: problem_doc("No such patrol draw")}


@router.post(
    "/patrol-professionals",
    status_code=201,
    summary="Add a hired professional 登记聘用专业技术人员",
)
async def add_professional(
    data: ProfessionalCreate, session: Session, _: Bureau, response: Response
) -> ProfessionalPublic:
    """A professional the bureau hires for random patrols (第五章第二节 "聘用专业技术人员开展随机
    巡查制度"), with the conflicts of interest that keep them from a mine (回避): the holder they
    work for (`employer_holder_id`) and the mines they evaluated or declare a conflict with
    (`conflict_right_ids`). The contact phone stays with the bureau; draws publish name,
    organisation and speciality only.
    """
    professional = await service.add_professional(session=session, data=data)
    response.headers["Location"] = f"/patrol-professionals/{professional.id}"
    return ProfessionalPublic.model_validate(professional, from_attributes=True)


@router.get("/patrol-professionals", summary="Hired professionals 专业技术人员库")
async def list_professionals(session: Session, _: Bureau, page: Paging) -> Page[ProfessionalPublic]:
    """The pool, oldest first, with contact data: bureau staff only."""
    rows = await service.list_professionals(session=session, page=page)
    return rows.shaped(ProfessionalPublic)


@router.post(
    "/patrol-draws",
    status_code=201,
    summary="Draw a random patrol 随机巡查抽取",
    responses={409: problem_doc("Not enough professionals without a conflict 回避后人员不足")},
)
async def draw_patrol(
    data: PatrolDrawCreate, session: Session, caller: Bureau, response: Response
) -> PatrolDrawPublic:
    """Draws `sample_size` mines among the working and suspended mining rights, and for each
    `professionals_per_mine` hired professionals without a conflict of interest (回避: works for
    the mine's holder, or evaluated the mine), with `sha256-rank-v1`, the draw green-mine spot
    checks use: mines by `SHA-256("<seed>:<right_id>")`, professionals by
    `SHA-256("<seed>:<right_id>:<professional_id>")`, ascending. The seed and the inputs are
    published (`GET /patrol-draws/{id}`, `rights.patrol.drawn`): the same seed and inputs draw
    the same result, `inputs_sha256` fingerprints them. Omit `seed` for 64 random hex
    characters. A `sample_size` above the mines that can be patrolled is a 422; too few
    professionals without a conflict for a mine is a 409 naming the mines. The patrol's findings
    are inspections (`PUT /inspections/{client_uuid}` with `patrol_draw_id`).
    """
    drawn = await service.draw_patrol(session=session, data=data, drawn_by=caller.subject)
    response.headers["Location"] = f"/patrol-draws/{drawn.id}"
    return drawn


@router.get("/patrol-draws", summary="Random patrol draws 随机巡查抽取公示")
async def list_draws(
    session: Session, _: Public, page: Paging, _cache: DrawsCache
) -> Page[PatrolDrawPublic]:
    """Public (一公开): every draw with its seed and inputs, newest first. No token needed; no
    contact data is published."""
    return await service.list_draws(session=session, page=page)


@router.get(
    "/patrol-draws/{draw_id}", summary="A random patrol draw 随机巡查抽取结果", responses=NOT_FOUND
)
async def get_draw(
    draw_id: UUID, session: Session, _: Public, _cache: DrawsCache
) -> PatrolDrawPublic:
    """Public: the draw, its seed and inputs; recompute it with `sha256-rank-v1` to check it."""
    return await service.show(session=session, draw_id=draw_id)
