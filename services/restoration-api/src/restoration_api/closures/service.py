"""Closure cases: opened by a closure application (cancelled by its rejection) or by the bureau
ending the right, decided by the closure acceptance, which needs the closure restoration plan
first."""

from datetime import datetime
from uuid import UUID

from servicekit.auth import Principal
from servicekit.errors import Conflict
from servicekit.lookup import owned_or_404
from servicekit.pagination import Page
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.closures.models import ClosureCase
from restoration_api.closures.schemas import ClosureCasePublic
from restoration_api.plans.service import current_plan
from restoration_api.rights import MineRows, MineStatusFilters


async def open_closure_case(
    *,
    session: AsyncSession,
    right_id: UUID,
    holder_id: UUID,
    now: datetime,
    application_id: UUID | None = None,
    cause: str = "application",
    cause_id: UUID | None = None,
) -> ClosureCase:
    """Open the mine's closure case for its cause (once: a second call returns the case)."""
    cause_id = cause_id or application_id
    existing = await session.scalar(
        select(ClosureCase).where(ClosureCase.cause == cause, ClosureCase.cause_id == cause_id)
    )
    if existing is not None:
        return existing
    case_ = ClosureCase(
        right_id=right_id,
        cause=cause,
        cause_id=cause_id,
        application_id=application_id,
        holder_id=holder_id,
        status="open",
        opened_at=now,
    )
    session.add(case_)
    await session.flush()
    return case_


async def cancel_closure_case(
    *, session: AsyncSession, application_id: UUID, now: datetime
) -> None:
    case_ = await _of_application(session, application_id)
    if case_ is not None and case_.status == "open":
        case_.status, case_.decided_at = "cancelled", now
        session.add(case_)


async def _of_application(session: AsyncSession, application_id: UUID) -> ClosureCase | None:
    return await session.scalar(
        select(ClosureCase).where(ClosureCase.application_id == application_id)
    )


async def open_case_to_decide(*, session: AsyncSession, right_id: UUID) -> ClosureCase | None:
    """The mine's open case, locked, once its closure restoration plan is filed (409 before)."""
    case_ = await session.scalar(
        select(ClosureCase)
        .where(ClosureCase.right_id == right_id, ClosureCase.status == "open")
        .with_for_update()
    )
    if case_ is not None and await current_plan(session, right_id, "closure") is None:
        raise Conflict(
            "The closure case needs the closure restoration plan 闭坑矿山环境恢复治理方案 "
            "before its acceptance (第六章第二节三); file it with POST /plans kind closure.",
            case_id=str(case_.id),
        )
    return case_


async def decide(
    *, session: AsyncSession, case_: ClosureCase, acceptance_id: UUID, now: datetime
) -> None:
    """A passed closure acceptance decides the case."""
    case_.status, case_.decided_at, case_.acceptance_id = "passed", now, acceptance_id
    session.add(case_)
    await session.flush()


async def passed(*, session: AsyncSession, right_id: UUID) -> bool:
    """Whether the mine's closure restoration passed acceptance."""
    found = await session.scalar(
        select(ClosureCase.id).where(
            ClosureCase.right_id == right_id, ClosureCase.status == "passed"
        )
    )
    return found is not None


async def closure_case_public(session: AsyncSession, case_: ClosureCase) -> ClosureCasePublic:
    plan = await current_plan(session, case_.right_id, "closure")
    return ClosureCasePublic(
        **case_.model_dump(), closure_plan_id=plan.id if plan is not None else None
    )


async def get_closure_case(
    *, session: AsyncSession, case_id: UUID, caller: Principal
) -> ClosureCasePublic:
    case_ = await owned_or_404(session, ClosureCase, case_id, caller, what="closure case")
    return await closure_case_public(session, case_)


async def list_closure_cases(rows: MineRows, filters: MineStatusFilters) -> Page[ClosureCasePublic]:
    cases = await rows.on_mines(ClosureCase, filters, ClosureCase.opened_at, ClosureCase.id)
    return cases.with_items([await closure_case_public(rows.session, c) for c in cases.items])
