"""Where each layer's features come from: the plan edition's content, the rights table, and
restoration-api's GeoJSON (over HTTP with ``servicekit.peers``)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from contracts.mining import MINERAL_NAMES_ZH, Mineral
from servicekit import peers
from servicekit.errors import NotFound
from servicekit.settings import ServiceSettings
from sqlalchemy import false, func, true
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.holders.models import Holder
from rights_api.layers.catalogue import ERENHOT_GEO_CODE, RESTORATION_PATHS, Layer
from rights_api.layers.query import Bbox, Feature, FeaturePage, FeatureQuery, intersects
from rights_api.plan.models import PlanEdition
from rights_api.rights.models import Right
from rights_api.rights.spatial import bbox_overlaps

PROHIBITED_CATEGORY = "330103"  # DZ/T 0226 规划区类别: 禁止开采区


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def plan_features(edition: PlanEdition, layer_id: str) -> list[Feature]:
    """The features of a plan layer (zones, planned_blocks, prohibited_areas) of ``edition``,
    in the edition's order, with the edition's period as their time."""
    content, span = edition.content, (edition.period_start, edition.period_end)
    common = {"edition": edition.code, "geo_code": ERENHOT_GEO_CODE}
    features = []
    if layer_id == "zones":
        for item in content["zones"]["features"]:
            p = item["properties"]
            properties = {
                "code": p["code"],
                "name_zh": p["name_zh"],
                "kind": p["kind"],
                "minerals": ",".join(p.get("minerals", [])),
                "area_km2": _number(p.get("area_km2")),
                "illustrative": p["illustrative"],
                "clause": p["clause"],
                **common,
            }
            features.append(Feature(p["code"], item["geometry"], properties, *span))
    elif layer_id == "planned_blocks":
        for block in content.get("planned_blocks", []):
            scale = block.get("scale") or {}
            properties = {
                "code": block["id"],
                "name_zh": block["name_zh"],
                "mineral": block["mineral"],
                "area_km2": _number(block["area_km2"]),
                "scale_value": _number(scale.get("value")),
                "scale_unit": scale.get("unit"),
                "illustrative": block["illustrative"],
                "clause": block["clause"],
                **common,
            }
            features.append(Feature(block["id"], block["boundary"], properties, *span))
    elif layer_id == "prohibited_areas":
        seen: dict[str, int] = {}
        for item in content["prohibited_areas"]["features"]:
            p = item["properties"]
            seen[p["kind"]] = seen.get(p["kind"], 0) + 1
            code = f"{p['kind']}-{seen[p['kind']]}"  # the plan numbers none: kind and order
            properties = {
                "code": code,
                "name_zh": p["name_zh"],
                "category": PROHIBITED_CATEGORY,
                "kind": p["kind"],
                "illustrative": p["illustrative"],
                "clause": p["clause"],
                **common,
            }
            features.append(Feature(code, item["geometry"], properties, *span))
    return features


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


# the rights layer's properties as columns of the rights table, each with how a filter's text
# becomes that column's value (a text that cannot be one matches nothing)
RIGHT_COLUMNS: dict[str, tuple[Any, Any]] = {
    "licence_no": (Right.licence_no, str),
    "kind": (Right.kind, str),
    "mine_name": (Right.mine_name, str),
    "mineral": (Right.mineral, str),
    "status": (Right.status, str),
    "zone": (Right.zone, str),
    "method": (Right.method, str),
    "licensing_level": (Right.licensing_level, str),
    "scale_unit": (Right.scale_unit, str),
    "holder_name": (Holder.name, str),
    "holder_id": (Right.holder_id, UUID),
    "area_km2": (Right.area_km2, Decimal),
    "scale_value": (Right.scale_value, Decimal),
    "elevation_top_m": (Right.elevation_top_m, Decimal),
    "elevation_bottom_m": (Right.elevation_bottom_m, Decimal),
    "valid_from": (Right.valid_from, date.fromisoformat),
    "valid_to": (Right.valid_to, date.fromisoformat),
    "illustrative": (Right.boundary_illustrative, _boolean),
}


def _storable(value: Decimal) -> bool:
    """Whether ``value`` can equal a stored number (the columns are NUMERIC(≤ 16, ≤ 6))."""
    if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
        return False
    return value == value.quantize(Decimal("0.000001"))


def _property_filter(key: str, wanted: str) -> Any:
    if key == "geo_code":
        return true() if wanted == ERENHOT_GEO_CODE else false()
    if key == "mineral_zh":
        minerals = [m.value for m, zh in MINERAL_NAMES_ZH.items() if zh == wanted]
        return Right.mineral.in_(minerals) if minerals else false()
    column, parse = RIGHT_COLUMNS[key]  # the router admits only the catalogue's fields
    try:
        value = parse(wanted)
    except (ValueError, InvalidOperation):
        return false()
    if isinstance(value, Decimal) and not _storable(value):
        return false()
    return column == value


def _right_feature(right: Right, holder_name: str) -> Feature:
    properties = {
        "licence_no": right.licence_no,
        "kind": right.kind,
        "mine_name": right.mine_name,
        "mineral": right.mineral,
        "mineral_zh": MINERAL_NAMES_ZH[Mineral(right.mineral)],
        "status": right.status,
        "area_km2": _number(right.area_km2),
        "zone": right.zone,
        "holder_id": str(right.holder_id),
        "holder_name": holder_name,
        "scale_value": _number(right.scale_value),
        "scale_unit": right.scale_unit,
        "method": right.method,
        "valid_from": right.valid_from.isoformat(),
        "valid_to": right.valid_to.isoformat(),
        "elevation_top_m": _number(right.elevation_top_m),
        "elevation_bottom_m": _number(right.elevation_bottom_m),
        "licensing_level": right.licensing_level,
        "illustrative": right.boundary_illustrative,
        "geo_code": ERENHOT_GEO_CODE,
    }
    return Feature(
        str(right.id),
        right.boundary,
        properties,
        right.valid_from,
        right.valid_to,
        owner=str(right.holder_id),
    )


def _rights_matching(query: FeatureQuery) -> Any:
    statement = select(Right, Holder.name).join(Holder, Holder.id == Right.holder_id)
    statement = statement.where(Right.boundary.is_not(None))
    for key, wanted in query.properties.items():
        statement = statement.where(_property_filter(key, wanted))
    if query.interval is not None:
        start, end = query.interval.start, query.interval.end
        if end is not None:
            statement = statement.where(Right.valid_from <= end.date())
        if start is not None:
            statement = statement.where(Right.valid_to >= start.date())
    if query.bbox is not None:
        statement = statement.where(bbox_overlaps(query.bbox))
    return statement


async def right_features(*, session: AsyncSession, query: FeatureQuery) -> FeaturePage:
    """The rights with a boundary matching ``query``, in the register's order. The bbox is a
    GiST-indexed bounding-box prefilter in SQL, then an exact shapely test; without a bbox the
    count and the page are SQL's."""
    statement = _rights_matching(query)
    order = (Right.created_at, Right.id)
    if query.bbox is None:
        matched = await session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await session.exec(
            statement.order_by(*order).offset(query.offset).limit(query.limit)
        )
        return FeaturePage([_right_feature(r, name) for r, name in rows.all()], matched or 0)
    rows = (await session.exec(statement.order_by(*order))).all()
    inside = [_right_feature(r, name) for r, name in rows if intersects(r.boundary, query.bbox)]
    return FeaturePage(inside[query.offset : query.offset + query.limit], len(inside))


async def right_feature(*, session: AsyncSession, feature_id: str) -> Feature:
    try:
        right_id = UUID(feature_id)
    except ValueError:
        raise NotFound(f"No feature {feature_id} in layer rights.") from None
    row = (
        await session.exec(
            select(Right, Holder.name)
            .join(Holder, Holder.id == Right.holder_id)
            .where(Right.id == right_id, Right.boundary.is_not(None))
        )
    ).first()
    if row is None:
        raise NotFound(f"No feature {feature_id} in layer rights.")
    return _right_feature(*row)


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


async def restoration_features(
    *, settings: ServiceSettings, layer: Layer, bbox: Bbox | None = None
) -> list[Feature]:
    """restoration-api's features of ``layer`` (its public GeoJSON, read with this service's
    token), the catalogue's fields only. A restoration-api that does not answer is a 502 naming
    it: never a layer silently empty."""
    params = {"bbox": ",".join(str(v) for v in bbox)} if bbox is not None else None
    body = await peers.get_json(settings, "restoration", RESTORATION_PATHS[layer.id], params=params)
    features = []
    for item in body.get("features", []):
        given = item.get("properties") or {}
        properties = {f.key: given.get(f.key) for f in layer.fields}
        properties["geo_code"] = ERENHOT_GEO_CODE
        for f in layer.fields:
            if f.type == "real":
                properties[f.key] = _number(properties[f.key])
        accepted = _day(given.get("accepted_on"))
        features.append(
            Feature(str(item.get("id")), item.get("geometry"), properties, accepted, accepted)
        )
    return features
