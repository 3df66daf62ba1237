"""Restoration plans and the annual obligations of 第六章第二节二 (年度治理计划书, 年度报告)."""

from datetime import date, datetime
from uuid import UUID, uuid4

from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.restoration import ObligationDue, ObligationOverdue, ObligationSubmitted
from mining_rights import MiningRight
from mining_rights.service import ACTIVE
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.lookup import get_or_404, owned_or_404
from servicekit.pagination import Page
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api import rights
from restoration_api.deadlines import missed
from restoration_api.money import to_fen, yuan
from restoration_api.plans.models import Obligation, RestorationPlan
from restoration_api.plans.schemas import (
    ObligationPublic,
    ObligationSubmit,
    PlanCreate,
    PlanPublic,
    ScheduleYearPublic,
)
from restoration_api.rights import (
    MineFilters,
    MineRows,
    MineStatusFilters,
    acted_on,
    announce,
    sees_mine,
)

ObligationEvent = ObligationDue | ObligationOverdue | ObligationSubmitted
TITLES = {
    "annual_restoration_plan": "年度矿山地质环境治理计划书",
    "annual_restoration_report": "矿山地质环境治理年度报告",
}


async def create_plan(
    *, session: AsyncSession, data: PlanCreate, caller: Principal, now: datetime
) -> PlanPublic:
    await acted_on(session=session, right_id=data.right_id, caller=caller)
    plan = RestorationPlan(
        **data.model_dump(exclude={"estimated_cost", "schedule"}),
        estimated_cost_fen=to_fen(data.estimated_cost),
        schedule=[
            {"year": s.year, "cost_fen": to_fen(s.cost), "area_ha": str(s.area_ha)}
            for s in sorted(data.schedule, key=lambda s: s.year)
        ],
        created_at=now,
    )
    session.add(plan)
    await session.flush()
    return plan_public(plan)


def plan_public(plan: RestorationPlan) -> PlanPublic:
    return PlanPublic(
        **plan.model_dump(exclude={"schedule", "estimated_cost_fen"}),
        estimated_cost=yuan(plan.estimated_cost_fen),
        schedule=[
            ScheduleYearPublic(year=s["year"], cost=yuan(s["cost_fen"]), area_ha=s["area_ha"])
            for s in plan.schedule
        ],
    )


async def get_plan(*, session: AsyncSession, plan_id: UUID, caller: Principal) -> PlanPublic:
    plan = await get_or_404(session, RestorationPlan, plan_id, what="restoration plan")
    if not await sees_mine(session, caller, plan.right_id):
        raise NotFound(f"No restoration plan {plan_id}.")
    return plan_public(plan)


async def list_plans(rows: MineRows, filters: MineFilters) -> Page[PlanPublic]:
    plans = await rows.on_mines(
        RestorationPlan, filters, RestorationPlan.created_at, RestorationPlan.id
    )
    return plans.with_items([plan_public(p) for p in plans.items])


async def current_plan(
    session: AsyncSession, right_id: UUID, kind: str = "protection_reclamation"
) -> RestorationPlan | None:
    return await session.scalar(
        select(RestorationPlan)
        .where(RestorationPlan.right_id == right_id, RestorationPlan.kind == kind)
        .order_by(RestorationPlan.created_at.desc())
        .limit(1)
    )


async def plan_need_fen(session: AsyncSession, right_id: UUID, year: int) -> int:
    """What the mine's current plan schedules to be spent up to and including ``year``."""
    plan = await current_plan(session, right_id)
    if plan is None:
        return 0
    return sum(s["cost_fen"] for s in plan.schedule if s["year"] <= year)


# ---- annual obligations --------------------------------------------------------------------


def _deadline(ob: Obligation, action: DeadlineAction) -> Deadline:
    return Deadline(
        id=f"restoration:{ob.kind}:{ob.right_id}:{ob.year}",
        kind=ob.kind,
        action=action,
        due_at=ob.due_on,
        subject=str(ob.right_id),
        audience=Audience(holder_id=str(ob.holder_id)),
        title_zh=f"{ob.year}年度{TITLES[ob.kind]}报送",
    )


async def _announce(
    session: AsyncSession, ob: Obligation, event: type[ObligationEvent], action: DeadlineAction
) -> None:
    """Publishes ``event`` about the obligation, its deadline at ``action``."""
    deadline = _deadline(ob, action)
    await announce(
        session, ob, event, obligation_id=ob.id, kind=ob.kind, year=ob.year, deadline=deadline
    )


def _on(year: int, month_day: str) -> date:
    month, day = (int(p) for p in month_day.split("-"))
    return date(year, month, day)


async def annual_obligations(session: AsyncSession, now: datetime) -> int:
    """Job: owe this year's annual plan and last year's report for every active mine, and
    report the ones whose date passed. Returns the obligations created or flagged overdue."""
    settings = session.info["settings"]
    today = clock.local_today(now)
    wanted = (
        ("annual_restoration_plan", today.year, _on(today.year, settings.annual_plan_due)),
        ("annual_restoration_report", today.year - 1, _on(today.year, settings.annual_report_due)),
    )
    handled = 0
    mines_ = (
        await session.exec(
            select(MiningRight).where(MiningRight.kind == "mining", MiningRight.status.in_(ACTIVE))
        )
    ).all()
    for mine in mines_:
        for kind, year, due_on in wanted:
            created = await session.exec(
                pg_insert(Obligation)
                .values(
                    id=uuid4(),
                    right_id=mine.right_id,
                    holder_id=mine.holder_id,
                    kind=kind,
                    year=year,
                    due_on=due_on,
                    status="due",
                )
                .on_conflict_do_nothing()
                .returning(Obligation.id)
            )
            new_id = created.scalar_one_or_none()
            if new_id is not None:
                ob = await session.get(Obligation, new_id)
                await _announce(session, ob, ObligationDue, DeadlineAction.set)
                handled += 1
    for ob in await missed(session, Obligation, status="due", today=today):
        ob.status = "overdue"
        session.add(ob)
        await _announce(session, ob, ObligationOverdue, DeadlineAction.overdue)
        handled += 1
    await session.flush()
    return handled


async def list_obligations(rows: MineRows, filters: MineStatusFilters) -> Page[ObligationPublic]:
    obligations = await rows.of_holder(Obligation, filters, Obligation.due_on, Obligation.id)
    return obligations.shaped(ObligationPublic)


async def submit(
    *, session: AsyncSession, obligation_id: UUID, data: ObligationSubmit, caller: Principal
) -> ObligationPublic:
    ob = await owned_or_404(
        session, Obligation, obligation_id, caller, what="obligation", for_update=True
    )
    if ob.status == "submitted":
        raise Conflict(f"Obligation {obligation_id} was already submitted.")
    ob.status, ob.document_ref, ob.submitted_at = "submitted", data.document_ref, clock.now()
    session.add(ob)
    await session.flush()
    await _announce(session, ob, ObligationSubmitted, DeadlineAction.met)
    return ObligationPublic.model_validate(ob, from_attributes=True)


async def follow_holder(*, session: AsyncSession, right_id: UUID) -> None:
    """The mine's open obligations pass to the holder the read model names (the right was
    transferred); submitted ones stay with the holder who submitted them."""
    await rights.follow_holder(session, Obligation, right_id, done="submitted")
