"""双随机、一公开: a reproducible draw anyone can recompute from what is published.

Algorithm ``sha256-rank-v1`` (the whole of it):
1. mines: every listing on the list (listed or rectifying) at the time of the draw, by its
   ``right_id``; rank each by ``SHA-256("<seed>:<right_id>")`` as a lowercase hex string,
   ascending; take the first ``ceil(share × number of mines)``.
2. experts: for each drawn mine, start from the active experts of the pool, remove those with
   a conflict (tied to the mine's holder, or to the organisation that evaluated it), rank the
   rest by ``SHA-256("<seed>:<right_id>:<expert_id>")`` ascending; take the first
   ``experts_per_mine``.
UUIDs are written in their canonical lowercase 8-4-4-4-12 form; the strings are UTF-8.
The draw is ``servicekit.draws.draw_panels`` (one implementation, shared with rights-api's patrols).
"""

import math
from decimal import Decimal
from uuid import UUID

from contracts.greenmine import SpotCheckDrawn, SpotCheckPublished
from servicekit import clock
from servicekit.draws import ALGORITHM, draw_panels, new_seed
from servicekit.errors import Conflict
from servicekit.events.outbox import publish
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.listings import service as listings
from greenmine_api.listings.models import ListingStatus
from greenmine_api.queries import fetch_all, save
from greenmine_api.rectifications import service as rectifications
from greenmine_api.spotchecks.models import Expert, SpotCheck, SpotCheckFinding
from greenmine_api.spotchecks.schemas import (
    ExpertCreate,
    FindingCreate,
    SpotCheckCreate,
    SpotCheckResult,
)


def conflict(expert: dict, mine: dict) -> str | None:
    """Why ``expert`` may not check ``mine`` (回避), or None."""
    if mine["holder_id"] in expert["tied_holder_ids"]:
        return "tied to the mine's holder"
    if mine["evaluator_org_id"] and mine["evaluator_org_id"] in expert["tied_org_ids"]:
        return "tied to the mine's evaluator"
    return None


def draw(inputs: dict, *, seed: str) -> list[dict]:
    """The draw as a pure function of the published inputs and seed."""
    panels = draw_panels(
        inputs["mines"],
        inputs["experts"],
        seed=seed,
        count=lambda mines: math.ceil(Decimal(inputs["share"]) * mines),
        per_mine=inputs["experts_per_mine"],
        conflict=conflict,
    )
    return [
        {
            "right_id": panel.mine["right_id"],
            "listing_id": panel.mine["listing_id"],
            "expert_ids": panel.people,
            "excluded": [
                {"expert_id": expert, "reason": reason} for expert, reason in panel.excluded
            ],
        }
        for panel in panels
    ]


async def add_expert(*, session: AsyncSession, data: ExpertCreate) -> Expert:
    return await save(session, Expert(**data.model_dump()))


async def list_experts(*, session: AsyncSession, page: PageParams) -> Page[Expert]:
    return await paginate(session, select(Expert), page, order=(Expert.created_at, Expert.id))


async def draw_check(*, session: AsyncSession, data: SpotCheckCreate, drawn_by: str) -> SpotCheck:
    mines = await listings.on_the_list(session)
    if not mines:
        raise Conflict("No mine is on the list: nothing to draw.")
    experts = (await session.exec(select(Expert).where(Expert.active).order_by(Expert.id))).all()
    experts_per_mine = data.experts_per_mine
    inputs = {
        "share": str(data.share),
        "experts_per_mine": experts_per_mine,
        "mines": [
            {
                "right_id": str(m.right_id),
                "listing_id": str(m.id),
                "holder_id": str(m.holder_id),
                "evaluator_org_id": m.evaluator_org_id,
            }
            for m in mines
        ],
        "experts": [
            {
                "id": str(e.id),
                "tied_holder_ids": sorted(str(h) for h in e.tied_holder_ids),
                "tied_org_ids": sorted(e.tied_org_ids),
            }
            for e in experts
        ],
    }
    seed = data.seed or new_seed()
    result = draw(inputs, seed=seed)
    short = [d for d in result if len(d["expert_ids"]) < experts_per_mine]
    if short:
        raise Conflict(
            f"Not enough experts without a conflict for {len(short)} mine(s).",
            right_ids=[d["right_id"] for d in short],
        )
    check = SpotCheck(
        **data.model_dump(exclude={"seed"}),
        seed=seed,
        algorithm=ALGORITHM,
        inputs=inputs,
        draw=result,
        status="drawn",
        drawn_by=drawn_by,
    )
    await save(session, check)
    await publish(
        session,
        SpotCheckDrawn(
            spot_check_id=check.id,
            seed=seed,
            algorithm=ALGORITHM,
            right_ids=[UUID(d["right_id"]) for d in result],
            expert_ids=sorted({UUID(e) for d in result for e in d["expert_ids"]}),
            drawn_at=check.drawn_at,
        ),
        subject=None,
        key=str(check.id),
    )
    return check


async def get(*, session: AsyncSession, check_id: UUID, for_update: bool = False) -> SpotCheck:
    return await get_or_404(session, SpotCheck, check_id, what="spot check", for_update=for_update)


async def list_checks(*, session: AsyncSession, page: PageParams) -> Page[SpotCheck]:
    return await paginate(
        session, select(SpotCheck), page, order=(SpotCheck.drawn_at, SpotCheck.id), descending=True
    )


async def record_finding(
    *, session: AsyncSession, check_id: UUID, data: FindingCreate
) -> SpotCheckFinding:
    """A non-compliant finding on a listed mine opens its rectification."""
    check = await get(session=session, check_id=check_id, for_update=True)
    if check.status != "drawn":
        raise Conflict("The spot check's results are already published.")
    listing_id = data.listing_id
    if str(listing_id) not in {d["listing_id"] for d in check.draw}:
        raise Conflict("That mine was not drawn in this spot check.")
    if (
        await session.exec(
            select(SpotCheckFinding).where(
                SpotCheckFinding.spot_check_id == check.id,
                SpotCheckFinding.listing_id == listing_id,
            )
        )
    ).first():
        raise Conflict("A finding for this mine is already recorded.")
    finding = await save(session, SpotCheckFinding(**data.model_dump(), spot_check_id=check.id))
    listing = await listings.get(session, listing_id, for_update=True)
    today = clock.local_today()
    await listings.note(
        session,
        listing,
        today,
        "spot_checked",
        spot_check_id=str(check.id),
        compliant=data.compliant,
    )
    if not data.compliant and listing.status != ListingStatus.delisted:
        await rectifications.order(
            session=session, listing=listing, reason="spot_check", today=today, detail=data.findings
        )
    return finding


async def findings(*, session: AsyncSession, check_id: UUID) -> list[SpotCheckFinding]:
    query = select(SpotCheckFinding).where(SpotCheckFinding.spot_check_id == check_id)
    return await fetch_all(session, query)


async def publish_results(*, session: AsyncSession, check_id: UUID) -> SpotCheck:
    check = await get(session=session, check_id=check_id, for_update=True)
    if check.status != "drawn":
        raise Conflict("Already published.")
    recorded = {str(f.listing_id) for f in await findings(session=session, check_id=check.id)}
    missing = [d["listing_id"] for d in check.draw if d["listing_id"] not in recorded]
    if missing:
        raise Conflict(f"{len(missing)} drawn mine(s) have no finding yet.", listing_ids=missing)
    check.status, check.published_at = "published", clock.now()
    session.add(check)
    await publish(
        session,
        SpotCheckPublished(spot_check_id=check.id, published_at=check.published_at),
        subject=None,
        key=str(check.id),
    )
    return check


async def results_for_listing(*, session: AsyncSession, listing_id: UUID) -> list[SpotCheckResult]:
    rows = (
        await session.exec(
            select(SpotCheckFinding, SpotCheck)
            .join(SpotCheck, SpotCheck.id == SpotCheckFinding.spot_check_id)
            .where(SpotCheckFinding.listing_id == listing_id, SpotCheck.status == "published")
            .order_by(SpotCheck.drawn_at)
        )
    ).all()
    return [
        SpotCheckResult(
            spot_check_id=check.id,
            title=check.title,
            drawn_at=check.drawn_at,
            published_at=check.published_at,
            compliant=finding.compliant,
            findings=finding.findings,
        )
        for finding, check in rows
    ]
