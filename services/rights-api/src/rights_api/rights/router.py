"""HTTP for the rights register: parse, authorize, call the service, shape the response."""

import json
from typing import Annotated, Any
from uuid import UUID

from contracts.mining import MINERAL_NAMES_ZH, Mineral
from fastapi import APIRouter, Query, Response
from servicekit.deps import Paging, Reader, Session
from servicekit.errors import problem_doc
from servicekit.http_cache import cached
from servicekit.pagination import Page

from rights_api.answers import versioned
from rights_api.rights import service
from rights_api.rights.schemas import HistoryEntry, RightFilters, RightPublic

router = APIRouter(tags=["rights 矿业权"])
NOT_FOUND = {404: problem_doc("No such right, or not yours 无此矿业权")}


Filters = Annotated[RightFilters, Query()]
# an enterprise's answer holds its own rights only
RegisterCache = Annotated[None, cached("rights", by_caller=True)]


@router.get("/rights", summary="The rights register 矿业权列表")
async def list_rights(
    session: Session,
    caller: Reader,
    filters: Filters,
    page: Paging,
) -> Page[RightPublic]:
    """Filter by holder, mineral, status, zone, kind, validity ending before a day, and a bounding
    box. Enterprises see only their own rights.
    """
    rows = await service.list_rights(session=session, filters=filters, caller=caller, page=page)
    return rows.with_items([RightPublic.of(r) for r in rows.items])


@router.get(
    "/rights.geojson",
    summary="The register as GeoJSON 矿业权范围 GeoJSON",
    responses={
        200: {"content": {"application/geo+json": {}}, "description": "FeatureCollection"},
    },
)
async def rights_geojson(
    session: Session,
    caller: Reader,
    filters: Filters,
    _cache: RegisterCache,
    limit: Annotated[int, Query(ge=1, le=10000, description="At most this many features")] = 5000,
) -> Response:
    """A FeatureCollection (RFC 7946, CGCS2000 longitude/latitude) of the rights matching the
    filters, for GIS tools. Demo boundaries carry `boundary_illustrative: true` (示意: a flag,
    never part of the mine's name).
    """
    rows = await service.first_rights(
        session=session, filters=filters, caller=caller, limit=limit + 1
    )
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": str(r.id),
            "geometry": r.boundary,
            "properties": {
                "licence_no": r.licence_no,
                "kind": r.kind,
                "mine_name": r.mine_name,
                "mineral": r.mineral,
                "mineral_name_zh": MINERAL_NAMES_ZH[Mineral(r.mineral)],
                "holder_id": str(r.holder_id),
                "status": r.status,
                "zone": r.zone,
                "area_km2": str(r.area_km2),
                "valid_to": r.valid_to.isoformat(),
                "boundary_illustrative": r.boundary_illustrative,
            },
        }
        for r in rows[:limit]
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")


@router.get("/rights/{right_id}", summary="A right 矿业权详情", responses={**NOT_FOUND})
async def get_right(
    right_id: UUID, session: Session, caller: Reader, response: Response
) -> RightPublic:
    right = await service.get_right(session=session, right_id=right_id, principal=caller)
    return versioned(response, RightPublic.of(right))


@router.get(
    "/rights/{right_id}/history",
    summary="A right's history 矿业权变更记录",
    responses={**NOT_FOUND},
)
async def right_history(
    right_id: UUID, session: Session, caller: Reader, page: Paging
) -> Page[HistoryEntry]:
    """Every state change: who, when, why (grant, status changes, transfer, renewal, mortgage
    filing, changes, closure), oldest first.
    """
    rows = await service.history(session=session, right_id=right_id, caller=caller, page=page)
    entries = [HistoryEntry.model_validate(h, from_attributes=True) for h in rows.items]
    return rows.with_items(entries)
