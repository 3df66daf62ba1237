"""Plan editions: which one is in force, and its content ready for the admission rules."""

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from contracts.mining import Mineral
from pydantic import ValidationError
from servicekit import clock
from servicekit.auth import BUREAU, Principal
from servicekit.concurrency import require_if_match
from servicekit.errors import Conflict, NotFound, Unprocessable
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from shapely import prepare
from shapely.geometry.base import BaseGeometry
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.geometry import interiors_overlap, to_shape
from rights_api.plan.disclosure import past_period
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import (
    CONTENT_PARTS,
    DraftFrom,
    EditionStatus,
    PlanContent,
    PlanDraftCreate,
    PlanEditionCreate,
    PlanEditionPublic,
    PlanEditionUpdate,
    PlannedBlock,
    PlanParts,
    ProhibitedProperties,
    ZoneProperties,
)
from rights_api.versions import save_new_version

HEADER = ("code", "title", "period_start", "period_end", "effective_from")
EDITABLE_HEADER = ("title", "period_start", "period_end", "effective_from")

# What a published edition still takes in place (规划调整, 第七章二), as callers relied on before
# drafts existed: real boundaries for the demo ones (zones, prohibited areas, planned blocks,
# the city), the bureau's settings the plan does not give (three-rate thresholds, market-grant
# periods, admission settings, named deadlines' tracking) and the caps' adjustment. Its title,
# period, effective date, minimum scales, targets and planned new rights change only through a
# new draft (POST /plan-editions/{id}/drafts), published with its own effective date.
ADJUSTABLE = frozenset(
    {
        "zones",
        "prohibited_areas",
        "planned_blocks",
        "city",
        "utilisation_thresholds",
        "market_grant",
        "rules",
        "named_deadlines",
        "small_mine_cap",
        "mine_caps",
    }
)


def _content(data: PlanContent | PlanEditionCreate) -> dict[str, Any]:
    return PlanContent.model_validate(data, from_attributes=True).model_dump(
        mode="json", exclude_none=True
    )


def _parts(data: PlanParts) -> dict[str, Any]:
    """The parts a draft holds (those sent), as stored."""
    return data.model_dump(mode="json", include=set(CONTENT_PARTS), exclude_none=True)


async def _code_free(session: AsyncSession, code: str) -> None:
    clash = await session.scalar(select(PlanEdition.id).where(PlanEdition.code == code))
    if clash is not None:
        raise Conflict(f"Edition code {code} is already used.")


async def create_edition(*, session: AsyncSession, data: PlanEditionCreate) -> PlanEdition:
    """Load a complete edition already in force as published (``mineadmin seed``: the
    2021-2025 plan as issued). The bureau's new editions are drafts (``create_draft``)."""
    clash = await session.scalar(
        select(PlanEdition.code).where(
            (PlanEdition.code == data.code)
            | (
                (PlanEdition.effective_from == data.effective_from)
                & (PlanEdition.status == EditionStatus.published.value)
            )
        )
    )
    if clash is not None:
        raise Conflict(
            f"Edition {clash} already has this code or takes effect on {data.effective_from}."
        )
    check_period(data.period_start, data.period_end)
    edition = PlanEdition(
        **{field: getattr(data, field) for field in HEADER},
        status=EditionStatus.published,
        content=_content(data),
        published_at=clock.now(),
        published_by="seed",
    )
    session.add(edition)
    await session.flush()
    return edition


async def create_draft(*, session: AsyncSession, data: PlanDraftCreate) -> PlanEdition:
    """A draft with whatever parts are sent; it judges nothing until published."""
    await _code_free(session, data.code)
    check_period(data.period_start, data.period_end)
    edition = PlanEdition(
        **{field: getattr(data, field) for field in HEADER},
        status=EditionStatus.draft,
        content=_parts(data),
    )
    session.add(edition)
    await session.flush()
    return edition


async def copy_to_draft(*, session: AsyncSession, edition_id: UUID, data: DraftFrom) -> PlanEdition:
    """A new draft holding every part of edition ``edition_id``, under a new code; no
    effective date yet."""
    source = await get_edition(session=session, edition_id=edition_id)
    await _code_free(session, data.code)
    start = data.period_start or source.period_start
    end = data.period_end or source.period_end
    check_period(start, end)
    edition = PlanEdition(
        code=data.code,
        title=data.title or source.title,
        period_start=start,
        period_end=end,
        effective_from=None,
        status=EditionStatus.draft,
        content=copy.deepcopy(source.content),
    )
    session.add(edition)
    await session.flush()
    return edition


def check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable(f"The period ends ({end}) before it starts ({start}).")


async def update_edition(
    *, session: AsyncSession, edition_id: UUID, changes: PlanEditionUpdate, if_match: str | None
) -> PlanEdition:
    """Replace the parts sent; ``If-Match`` must name the current version. A draft takes every
    part; a published edition only ``ADJUSTABLE`` ones (409 naming the others)."""
    edition = await get_edition(session=session, edition_id=edition_id, for_update=True)
    require_if_match(if_match, edition.version)
    given = changes.model_dump(exclude_unset=True)
    if edition.published:
        fixed = sorted(set(given) - ADJUSTABLE)
        if fixed:
            raise Conflict(
                f"Edition {edition.code} is published: {', '.join(fixed)} cannot change in "
                "place. Copy it to a draft (POST /plan-editions/{id}/drafts), edit the draft "
                "and publish it with its own effective date.",
                fields=fixed,
            )
    for field in EDITABLE_HEADER:
        if field in given:
            setattr(edition, field, given.pop(field))
    check_period(edition.period_start, edition.period_end)
    parts = changes.model_dump(mode="json", include=set(given))
    if edition.published:
        edition.content = _content(PlanContent.model_validate({**edition.content, **parts}))
    else:
        merged = PlanParts.model_validate({**edition.content, **parts})
        edition.content = _parts(merged)
    await save_new_version(session, edition)
    return edition


async def get_edition(
    *, session: AsyncSession, edition_id: UUID, for_update: bool = False
) -> PlanEdition:
    return await get_or_404(
        session, PlanEdition, edition_id, what="plan edition", for_update=for_update
    )


async def get_published(*, session: AsyncSession, edition_id: UUID) -> PlanEdition:
    """An edition that judges: a draft is 409 (its dry run is /plan-editions/{id}/impact)."""
    edition = await get_edition(session=session, edition_id=edition_id)
    if not edition.published:
        raise Conflict(
            f"Edition {edition.code} is a draft: it judges nothing until published; see what it "
            f"would change at /plan-editions/{edition.id}/impact."
        )
    return edition


async def get_visible(
    *, session: AsyncSession, edition_id: UUID, caller: Principal | None
) -> PlanEdition:
    """A published edition for anyone; a draft for bureau staff only (404 to the others)."""
    edition = await get_edition(session=session, edition_id=edition_id)
    if not edition.published and not sees_drafts(caller):
        raise NotFound(f"No plan edition {edition_id}.")
    return edition


def sees_drafts(caller: Principal | None) -> bool:
    return caller is not None and caller.has(*BUREAU)


async def list_editions(
    *, session: AsyncSession, page: PageParams, caller: Principal | None = None
) -> Page[PlanEdition]:
    """Oldest first (by the day each takes effect; undated drafts last). Drafts for bureau
    staff only."""
    query = select(PlanEdition)
    if not sees_drafts(caller):
        query = query.where(PlanEdition.status == EditionStatus.published.value)
    order = (PlanEdition.effective_from, PlanEdition.id)
    return await paginate(session, query, page, order=order)


async def edition_in_force(*, session: AsyncSession, on: date) -> PlanEdition:
    """The edition an application filed on ``on`` is judged by."""
    edition = (await session.exec(_in_force(on, PlanEdition))).first()
    if edition is None:
        raise _none_in_force(on)
    return edition


async def plan_in_force(*, session: AsyncSession, on: date) -> "PlanView":
    """The parsed edition in force on ``on``. Asks the database only which edition and version
    that is; its content (geometry of every zone and prohibited area, the bulk of the row) is
    read and parsed once per edition version, not on every admission check."""
    key = (await session.exec(_in_force(on, PlanEdition.id, PlanEdition.version))).first()
    if key is None:
        raise _none_in_force(on)
    cached = _VIEWS.get(tuple(key))
    if cached is not None:
        return cached
    return view(await get_edition(session=session, edition_id=key[0]))


def _in_force(on: date, *columns: Any) -> Any:
    """Only a published edition is ever in force: the latest to take effect by ``on``."""
    return (
        select(*columns)
        .where(
            PlanEdition.status == EditionStatus.published.value,
            PlanEdition.effective_from <= on,
        )
        .order_by(PlanEdition.effective_from.desc())
        .limit(1)
    )


def _none_in_force(on: date) -> NotFound:
    return NotFound(f"No plan edition is in force on {on}; load one first (mineadmin seed).")


def public(edition: PlanEdition, today: date | None = None) -> PlanEditionPublic:
    """The edition as answered; ``past_period`` as of ``today`` (Beijing time by default)."""
    return PlanEditionPublic.model_validate(
        {
            **edition.content,
            **{field: getattr(edition, field) for field in HEADER},
            "id": edition.id,
            "status": edition.status,
            "past_period": past_period(edition.period_end, today or clock.local_today()),
            "published_at": edition.published_at,
            "published_by": edition.published_by,
            "version": edition.version,
            "created_at": edition.created_at,
            "updated_at": edition.updated_at,
        }
    )


class AdmittingArea(NamedTuple):
    """A concentrated zone or a planned block: where a new mine of its minerals may lie."""

    code: str
    illustrative: bool
    shape: BaseGeometry


@dataclass(frozen=True)
class PlanView:
    """An edition parsed once, with its areas as prepared shapes for fast tests."""

    id: UUID
    code: str
    period_start: date
    period_end: date
    content: PlanContent
    city: BaseGeometry
    zones: list[tuple[ZoneProperties, BaseGeometry]]
    prohibited: list[tuple[ProhibitedProperties, BaseGeometry]]
    blocks: list[tuple[PlannedBlock, BaseGeometry]]

    # shared by the admission rules (a new boundary) and the conformance of existing rights

    def zones_for(self, mineral: Mineral) -> list[AdmittingArea]:
        """The concentrated zones (专栏三) and planned blocks (第五章第一节) open to ``mineral``
        (a zone listing no mineral is open to all)."""
        zones = [
            AdmittingArea(p.code, p.illustrative, area)
            for p, area in self.zones
            if not p.minerals or mineral in p.minerals
        ]
        blocks = [
            AdmittingArea(b.id, b.illustrative, area)
            for b, area in self.blocks
            if b.mineral == mineral
        ]
        return zones + blocks

    def zone_covering(self, mineral: Mineral, shape: BaseGeometry) -> str | None:
        """The code of the first zone or block for ``mineral`` that covers ``shape`` entirely."""
        return next((z.code for z in self.zones_for(mineral) if z.shape.covers(shape)), None)

    def zoned_minerals(self) -> set[Mineral]:
        """The minerals the zones govern (普通建筑用砂石: 第三章第四节, 第五章第一节)."""
        return {mineral for props, _ in self.zones for mineral in props.minerals}

    def prohibited_overlapping(self, shape: BaseGeometry) -> list[ProhibitedProperties]:
        """The prohibited areas whose interior ``shape`` shares (touching edges do not count)."""
        return [props for props, area in self.prohibited if interiors_overlap(shape, area)]


_VIEWS: dict[tuple[UUID, int], PlanView] = {}


def view(edition: PlanEdition) -> PlanView:
    """Parsed once per edition version (an update bumps the version, so never stale)."""
    key = (edition.id, edition.version)
    if key not in _VIEWS:
        if len(_VIEWS) > 32:
            _VIEWS.clear()
        _VIEWS[key] = _parse(edition)
    return _VIEWS[key]


def _parse(edition: PlanEdition) -> PlanView:
    try:
        content = PlanContent.model_validate(edition.content)
    except ValidationError as exc:  # a draft still being filled: nothing can be judged on it
        parts = sorted({".".join(map(str, e["loc"][:1])) for e in exc.errors()})
        error = Unprocessable(
            f"Edition {edition.code} is not complete enough to be read: {', '.join(parts)}.",
            title="The draft is not complete 规划草案不完整",
        )
        error.slug = "edition-incomplete"
        raise error from None

    def shaped(geometry: Any) -> BaseGeometry:
        geom = to_shape(geometry.model_dump(exclude_none=True))
        prepare(geom)
        return geom

    return PlanView(
        id=edition.id,
        code=edition.code,
        period_start=edition.period_start,
        period_end=edition.period_end,
        content=content,
        city=shaped(content.city.boundary),
        zones=[(f.properties, shaped(f.geometry)) for f in content.zones.features],
        prohibited=[(f.properties, shaped(f.geometry)) for f in content.prohibited_areas.features],
        blocks=[(b, shaped(b.boundary)) for b in content.planned_blocks],
    )
