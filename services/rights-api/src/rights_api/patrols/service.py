"""Random patrols 随机巡查 (第五章第二节 "聘用专业技术人员开展随机巡查制度"): which mines the bureau
patrols and which hired professionals go, drawn reproducibly from a published seed with the
draw green-mine spot checks use (``servicekit.draws``, ``sha256-rank-v1``).

The draw, all of it:
1. mines: every mining right that is working or paused (``producing``, ``under_construction``,
   ``suspended``; a suspended mine is patrolled too, to see that it stands still) at the time of
   the draw, by ``right_id``; ranked by ``SHA-256("<seed>:<right_id>")`` ascending; the first
   ``sample_size``.
2. professionals: for each drawn mine, the active professionals minus those with a conflict
   (回避: one who works for the mine's holder, ``employer_holder_id``, or who evaluated the mine
   or declared a conflict with it, ``conflict_right_ids``), ranked by
   ``SHA-256("<seed>:<right_id>:<professional_id>")`` ascending; the first
   ``professionals_per_mine``.
Functions never commit: the request owns the transaction.
"""

from typing import Any
from uuid import UUID

from contracts.mining import RightKind, RightStatus
from contracts.rights import PatrolDrawn
from servicekit.draws import ALGORITHM, draw_panels, inputs_sha256, new_seed
from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.events.outbox import publish
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.patrols.models import PatrolDraw, Professional
from rights_api.patrols.schemas import (
    DrawnMine,
    DrawnProfessional,
    PatrolDrawCreate,
    PatrolDrawPublic,
    ProfessionalCreate,
)
from rights_api.rights.models import Right

PATROLLED = (RightStatus.producing, RightStatus.under_construction, RightStatus.suspended)


def conflict(professional: dict[str, Any], mine: dict[str, Any]) -> str | None:
    """Why ``professional`` may not patrol ``mine`` (回避), or None."""
    if professional["employer_holder_id"] == mine["holder_id"]:
        return "works for the mine's holder"
    if mine["right_id"] in professional["conflict_right_ids"]:
        return "evaluated the mine or declared a conflict with it"
    return None


def draw(inputs: dict[str, Any], *, seed: str) -> list[dict[str, Any]]:
    """The draw as a pure function of the published inputs and seed."""
    panels = draw_panels(
        inputs["mines"],
        inputs["professionals"],
        seed=seed,
        count=lambda _: inputs["sample_size"],
        per_mine=inputs["professionals_per_mine"],
        conflict=conflict,
    )
    return [
        {
            "right_id": panel.mine["right_id"],
            "holder_id": panel.mine["holder_id"],
            "professional_ids": panel.people,
            "excluded": [
                {"professional_id": person, "reason": reason} for person, reason in panel.excluded
            ],
        }
        for panel in panels
    ]


async def add_professional(*, session: AsyncSession, data: ProfessionalCreate) -> Professional:
    professional = Professional(
        **data.model_dump(exclude={"conflict_right_ids"}),
        conflict_right_ids=sorted({str(r) for r in data.conflict_right_ids}),
    )
    session.add(professional)
    await session.flush()
    return professional


async def list_professionals(*, session: AsyncSession, page: PageParams) -> Page[Professional]:
    query = select(Professional)
    return await paginate(session, query, page, order=(Professional.created_at, Professional.id))


async def draw_patrol(
    *, session: AsyncSession, data: PatrolDrawCreate, drawn_by: str
) -> PatrolDrawPublic:
    mines = (
        await session.exec(
            select(Right)
            .where(Right.kind == RightKind.mining, col(Right.status).in_(PATROLLED))
            .order_by(Right.id)
        )
    ).all()
    if data.sample_size > len(mines):
        raise validation_error(
            [
                FieldError(
                    field="body.sample_size",
                    message=f"only {len(mines)} mine(s) can be patrolled; "
                    f"sample_size {data.sample_size} is more",
                )
            ]
        )
    professionals = (
        await session.exec(
            select(Professional).where(col(Professional.active)).order_by(Professional.id)
        )
    ).all()
    inputs = {
        "year": data.year,
        "sample_size": data.sample_size,
        "professionals_per_mine": data.professionals_per_mine,
        "mines": [{"right_id": str(m.id), "holder_id": str(m.holder_id)} for m in mines],
        "professionals": [
            {
                "id": str(p.id),
                "employer_holder_id": p.employer_holder_id and str(p.employer_holder_id),
                "conflict_right_ids": sorted(p.conflict_right_ids),
            }
            for p in professionals
        ],
    }
    seed = data.seed or new_seed()
    drawn = draw(inputs, seed=seed)
    short = [d for d in drawn if len(d["professional_ids"]) < data.professionals_per_mine]
    if short:
        raise Conflict(
            f"Not enough professionals without a conflict for {len(short)} mine(s).",
            right_ids=[d["right_id"] for d in short],
        )
    by_id = {str(m.id): m for m in mines}
    for mine in drawn:
        right = by_id[mine["right_id"]]
        mine.update(licence_no=right.licence_no, mine_name=right.mine_name)
    row = PatrolDraw(
        year=data.year,
        sample_size=data.sample_size,
        professionals_per_mine=data.professionals_per_mine,
        seed=seed,
        method=ALGORITHM,
        inputs=inputs,
        inputs_sha256=inputs_sha256(inputs),
        result=drawn,
        drawn_by=drawn_by,
    )
    session.add(row)
    await session.flush()
    await publish(
        session,
        PatrolDrawn(
            patrol_draw_id=row.id,
            year=row.year,
            seed=seed,
            method=ALGORITHM,
            inputs_sha256=row.inputs_sha256,
            right_ids=[UUID(d["right_id"]) for d in drawn],
            professional_ids=sorted({UUID(p) for d in drawn for p in d["professional_ids"]}),
            drawn_at=row.drawn_at,
        ),
        subject=None,
        key=str(row.id),
    )
    return await public(session=session, row=row)


async def get_draw(*, session: AsyncSession, draw_id: UUID) -> PatrolDraw:
    return await get_or_404(session, PatrolDraw, draw_id, what="patrol draw")


def drawn_right_ids(row: PatrolDraw) -> set[str]:
    return {d["right_id"] for d in row.result}


async def public(*, session: AsyncSession, row: PatrolDraw) -> PatrolDrawPublic:
    ids = sorted({UUID(p) for d in row.result for p in d["professional_ids"]})
    people = (await session.exec(select(Professional).where(col(Professional.id).in_(ids)))).all()
    return PatrolDrawPublic(
        id=row.id,
        year=row.year,
        sample_size=row.sample_size,
        professionals_per_mine=row.professionals_per_mine,
        seed=row.seed,
        method=row.method,
        inputs=row.inputs,
        inputs_sha256=row.inputs_sha256,
        mines=[DrawnMine.model_validate(d) for d in row.result],
        professionals=[
            DrawnProfessional(
                id=p.id, name=p.name, organisation=p.organisation, speciality=p.speciality
            )
            for p in sorted(people, key=lambda p: str(p.id))
        ],
        drawn_at=row.drawn_at,
    )


async def show(*, session: AsyncSession, draw_id: UUID) -> PatrolDrawPublic:
    return await public(session=session, row=await get_draw(session=session, draw_id=draw_id))


async def list_draws(*, session: AsyncSession, page: PageParams) -> Page[PatrolDrawPublic]:
    rows = await paginate(
        session,
        select(PatrolDraw),
        page,
        order=(PatrolDraw.drawn_at, PatrolDraw.id),
        descending=True,
    )
    return rows.with_items([await public(session=session, row=r) for r in rows.items])
