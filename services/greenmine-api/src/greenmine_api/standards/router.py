"""HTTP for evaluation standards."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from servicekit.deps import Admin, Paging, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from greenmine_api.responses import PUBLIC
from greenmine_api.standards import service
from greenmine_api.standards.schemas import StandardCreate, StandardPublic

router = APIRouter(tags=["standards 评价标准"])
StandardsCache = Annotated[None, cached("standards")]


@router.get("/standards", summary="Evaluation standards 绿色矿山评价标准", responses=PUBLIC)
async def list_standards(
    session: Session, page: Paging, _cache: StandardsCache
) -> Page[StandardPublic]:
    """Every version of every standard; public. The default one (the 2020 national form: 1000 points
    in six categories, pass at 800 with each category ≥ 75 %) scores new applications.
    `points_source: configuration` marks points the sources do not give.
    """
    rows = await service.list_all(session=session, page=page)
    return rows.shaped(StandardPublic)


@router.get(
    "/standards/{standard_id}",
    summary="One standard 评价标准详情",
    responses={**PUBLIC, 404: problem_doc("No such standard")},
)
async def get_standard(
    standard_id: UUID, session: Session, _cache: StandardsCache
) -> StandardPublic:
    """Categories, items with their maximum points, prerequisites and the pass rule."""
    return StandardPublic.model_validate(
        await service.get(session=session, standard_id=standard_id), from_attributes=True
    )


@router.post(
    "/standards",
    status_code=201,
    summary="Issue a standard version 发布评价标准新版本",
)
async def create_standard(data: StandardCreate, session: Session, _: Admin) -> StandardPublic:
    """A new version of a standard (version numbers count up per code). Items must add up to their
    category, categories to the total. Applications keep the version they were filed under.
    """
    return StandardPublic.model_validate(
        await service.create(session=session, data=data), from_attributes=True
    )
