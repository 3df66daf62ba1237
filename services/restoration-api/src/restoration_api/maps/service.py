"""The map layers: legacy sites and mines' restoration areas (works with a boundary) as GeoJSON
FeatureCollections in CGCS2000 longitude/latitude, for GIS clients and rights-api's OGC API.

Everyone sees the layers' named properties (what the plan's disclosure 公示 makes public: the
site or area, its size, whether it was accepted and when); officials see a few more."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from servicekit.auth import BUREAU, Principal, Role
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.acceptances.models import Acceptance
from restoration_api.boundaries import meets
from restoration_api.legacy_sites.models import LegacySite
from restoration_api.works.models import Work

Box = tuple[float, float, float, float] | None


def officials(caller: Principal | None) -> bool:
    """The bureau, inspectors and government systems: not the public, not an enterprise."""
    return caller is not None and caller.has(*BUREAU, Role.inspector, Role.gov_system)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _feature(row: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(row.id),
        "geometry": row.boundary,
        "properties": properties,
    }


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


class Verdicts:
    """What the acceptances of a set of targets say: passed area, last pass, any inspection."""

    def __init__(self, rows: list[tuple[UUID, bool, Decimal, date]]):
        self.passed_ha: dict[UUID, Decimal] = defaultdict(Decimal)
        self.passed_on: dict[UUID, date] = {}
        self.inspected: set[UUID] = set()
        for target, passed, area, on in rows:
            self.inspected.add(target)
            if passed:
                self.passed_ha[target] += area
                self.passed_on[target] = max(on, self.passed_on.get(target, on))

    def status(self, target: UUID, *, started: bool) -> str:
        if target in self.passed_on:
            return "accepted"  # 已验收
        if target in self.inspected:
            return "not_passed"  # 验收未通过
        return "in_progress" if started else "registered"


async def _verdicts(session: AsyncSession, column: Any, ids: list[UUID]) -> Verdicts:
    if not ids:
        return Verdicts([])
    rows = await session.exec(
        select(column, Acceptance.passed, Acceptance.accepted_area_ha, Acceptance.inspected_on)
        .where(column.in_(ids))
    )  # fmt: skip
    return Verdicts(list(rows.all()))


async def legacy_sites(
    *, session: AsyncSession, box: Box, caller: Principal | None
) -> dict[str, Any]:
    query = select(LegacySite).where(meets(LegacySite, box)).order_by(LegacySite.code)
    sites = (await session.exec(query)).all()
    ids = [s.id for s in sites]
    verdicts = await _verdicts(session, Acceptance.legacy_site_id, ids)
    works = dict(
        (
            await session.exec(
                select(Work.legacy_site_id, func.count())
                .where(Work.legacy_site_id.in_(ids))  # type: ignore[union-attr]
                .group_by(Work.legacy_site_id)
            )
        ).all()
    ) if ids else {}  # fmt: skip
    features = []
    for site in sites:
        accepted_on = verdicts.passed_on.get(site.id)
        properties: dict[str, Any] = {
            "code": site.code,
            "name": site.name,
            "edition": site.edition,
            "damaged_area_ha": _number(site.damaged_area_ha),
            "restored_area_ha": float(verdicts.passed_ha.get(site.id, Decimal(0))),
            "status": verdicts.status(site.id, started=works.get(site.id, 0) > 0),
            "accepted_on": accepted_on.isoformat() if accepted_on else None,
            "illustrative": site.boundary_illustrative,
        }
        if officials(caller):
            properties |= {
                "description": site.description,
                "plan_clause": site.plan_clause,
                "fund_id": str(site.fund_id) if site.fund_id else None,
                "works": works.get(site.id, 0),
            }
        features.append(_feature(site, properties))
    return collection(features)


async def restoration_areas(
    *, session: AsyncSession, box: Box, caller: Principal | None
) -> dict[str, Any]:
    rows = (
        await session.exec(
            select(Work)
            .where(Work.right_id.is_not(None), meets(Work, box))  # type: ignore[union-attr]
            .order_by(Work.code)
        )
    ).all()
    verdicts = await _verdicts(session, Acceptance.work_id, [w.id for w in rows])
    features = []
    for work in rows:
        accepted_on = verdicts.passed_on.get(work.id)
        properties: dict[str, Any] = {
            "code": work.code,
            "right_id": str(work.right_id),
            "kind": work.kind,
            "area_ha": float(work.area_ha),
            "status": verdicts.status(work.id, started=True),
            "accepted_on": accepted_on.isoformat() if accepted_on else None,
            "illustrative": work.boundary_illustrative,
        }
        if officials(caller):
            properties |= {"name": work.name, "year": work.year}
        features.append(_feature(work, properties))
    return collection(features)
