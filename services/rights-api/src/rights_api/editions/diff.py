"""Two editions compared field by field and area by area (the draft against the edition in
force, usually). Reads the stored content only; a draft's missing part compares as null."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rights_api.editions.schemas import AreaChange, Change, EditionDiff, EditionRef, FieldChange
from rights_api.geometry import geodesic_area_km2, to_shape
from rights_api.plan.models import PlanEdition

HEADER = ("title", "period_start", "period_end", "effective_from")
# list parts compared item by item, each item known by its key
KEYED: dict[str, Callable[[dict], str]] = {
    "minerals": lambda m: m["mineral"],
    "mine_caps": lambda c: c["name_zh"],
    "targets": lambda t: t["code"],
    "utilisation_thresholds": lambda t: f"{t['mineral']}/{t.get('method') or '*'}/{t['rule']}",
    "named_deadlines": lambda d: d["id"],
}
# parts that are one object, compared attribute by attribute
SINGLE = ("small_mine_cap", "planned_new_rights", "market_grant", "rules")
AREA_PARTS = ("zones", "planned_blocks", "prohibited_areas")
PLACES = Decimal("0.0001")


def ref(edition: PlanEdition) -> EditionRef:
    return EditionRef(id=edition.id, code=edition.code, status=edition.status)


def compare(a: PlanEdition, b: PlanEdition) -> EditionDiff:
    fields: list[FieldChange] = []
    for name in HEADER:
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            fields.append(FieldChange(part=name, before=before, after=after))
    for part in SINGLE:
        fields += _attributes(part, None, a.content.get(part), b.content.get(part))
    for part, key in KEYED.items():
        fields += _keyed(part, key, a.content.get(part), b.content.get(part))
    city_a, city_b = a.content.get("city") or {}, b.content.get("city") or {}
    fields += _attributes("city", None, _without(city_a, "boundary"), _without(city_b, "boundary"))
    if city_a.get("boundary") != city_b.get("boundary"):
        fields.append(
            FieldChange(
                part="city",
                attribute="boundary_area_km2",
                before=_area({"geometry": city_a["boundary"]}) if city_a else None,
                after=_area({"geometry": city_b["boundary"]}) if city_b else None,
            )
        )
    areas = {part: _areas(*_features(part, a.content, b.content)) for part in AREA_PARTS}
    return EditionDiff(a=ref(a), b=ref(b), fields=fields, **areas)


def _without(item: dict, *names: str) -> dict:
    return {k: v for k, v in item.items() if k not in names}


def _attributes(part: str, key: str | None, a: Any, b: Any) -> list[FieldChange]:
    """Attribute by attribute when both sides are objects; else the whole value."""
    if a == b:
        return []
    if not isinstance(a, dict) or not isinstance(b, dict):
        return [FieldChange(part=part, key=key, before=a, after=b)]
    return [
        FieldChange(part=part, key=key, attribute=name, before=a.get(name), after=b.get(name))
        for name in dict.fromkeys([*a, *b])
        if a.get(name) != b.get(name)
    ]


def _keyed(part: str, key: Callable[[dict], str], a: Any, b: Any) -> list[FieldChange]:
    if a is None or b is None:
        return [] if a == b else [FieldChange(part=part, before=a, after=b)]
    before, after = {key(i): i for i in a}, {key(i): i for i in b}
    changes: list[FieldChange] = []
    for name in dict.fromkeys([*before, *after]):
        changes += _attributes(part, name, before.get(name), after.get(name))
    return changes


# each area kind: where its features are, its key and name, its attributes and its geometry
def _features(part: str, a: dict, b: dict) -> tuple[dict[str, dict], dict[str, dict]]:
    def read(content: dict) -> dict[str, dict]:
        if part == "planned_blocks":
            return {
                block["id"]: {
                    "name_zh": block["name_zh"],
                    "geometry": block["boundary"],
                    "attributes": _without(block, "boundary"),
                }
                for block in content.get(part) or []
            }
        features = (content.get(part) or {}).get("features") or []
        key = "code" if part == "zones" else "name_zh"
        return {
            feature["properties"][key]: {
                "name_zh": feature["properties"]["name_zh"],
                "geometry": feature["geometry"],
                "attributes": feature["properties"],
            }
            for feature in features
        }

    return read(a), read(b)


def _areas(before: dict[str, dict], after: dict[str, dict]) -> list[AreaChange]:
    changes: list[AreaChange] = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None or new is None:
            change = Change.added if old is None else Change.removed
            attributes: list[FieldChange] = []
            moved = True
        else:
            change = Change.changed
            attributes = _attributes("attributes", key, old["attributes"], new["attributes"])
            moved = not _same_shape(old["geometry"], new["geometry"])
            if not attributes and not moved:
                continue  # the same shape written differently
        changes.append(
            AreaChange(
                key=key,
                name_zh=(new or old)["name_zh"],
                change=change,
                geometry_changed=moved,
                area_km2_before=_area(old),
                area_km2_after=_area(new),
                attributes=attributes,
            )
        )
    return changes


def _same_shape(a: dict, b: dict) -> bool:
    return a == b or to_shape(a).equals(to_shape(b))


def _area(item: dict | None) -> Decimal | None:
    if item is None:
        return None
    return geodesic_area_km2(to_shape(item["geometry"])).quantize(PLACES)
