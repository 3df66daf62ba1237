"""HTTP for rectification cases (their verdict, which may remove the mine: exits.router)."""

from typing import Annotated

from fastapi import APIRouter, Query
from servicekit.deps import BureauOrHolder, Paging, Session
from servicekit.pagination import Page

from greenmine_api.rectifications import service
from greenmine_api.rectifications.schemas import RectificationFilters, RectificationPublic

router = APIRouter(tags=["rectifications 限期整改"])


@router.get("/rectifications", summary="Rectifications 限期整改列表")
async def list_rectifications(
    session: Session,
    caller: BureauOrHolder,
    page: Paging,
    filters: Annotated[RectificationFilters, Query()],
) -> Page[RectificationPublic]:
    """The bureau sees all; an enterprise its own."""
    rows = await service.list_rectifications(
        session=session, caller=caller, page=page, filters=filters
    )
    return rows.shaped(RectificationPublic)
