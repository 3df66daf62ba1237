"""Inspector assignments: the mines an inspector's offline app carries. Functions never
commit: the request owns the transaction."""

from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, NotFound, validation_error
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.assignments.models import Assignment
from rights_api.assignments.schemas import AssignmentCreate, AssignmentFilters
from rights_api.patrols import service as patrols
from rights_api.patrols.models import PatrolDraw
from rights_api.rights.models import Right


async def assign(*, session: AsyncSession, data: AssignmentCreate, by: str) -> Assignment:
    if await session.get(Right, data.right_id) is None:
        raise validation_error(
            [FieldError(field="body.right_id", message=f"no right {data.right_id}")]
        )
    if data.patrol_draw_id is not None:
        draw = await session.get(PatrolDraw, data.patrol_draw_id)
        if draw is None or str(data.right_id) not in patrols.drawn_right_ids(draw):
            message = (
                f"no patrol draw {data.patrol_draw_id}"
                if draw is None
                else f"right {data.right_id} was not drawn in patrol {data.patrol_draw_id}"
            )
            raise validation_error([FieldError(field="body.patrol_draw_id", message=message)])
    already = await session.scalar(
        select(Assignment.id).where(
            Assignment.inspector == data.inspector,
            Assignment.right_id == data.right_id,
            col(Assignment.ended_at).is_(None),
        )
    )
    if already is not None:
        raise Conflict(
            f"{data.inspector} already has mine {data.right_id} (assignment {already}).",
            assignment_id=str(already),
        )
    row = Assignment(**data.model_dump(), assigned_by=by, assigned_at=clock.now())
    session.add(row)
    await session.flush()
    return row


async def end(*, session: AsyncSession, assignment_id: UUID, by: str) -> Assignment:
    row = await session.get(Assignment, assignment_id, with_for_update=True)
    if row is None:
        raise NotFound(f"No assignment {assignment_id}.")
    if row.ended_at is not None:
        raise Conflict(f"Assignment {assignment_id} ended at {row.ended_at.isoformat()}.")
    row.ended_at, row.ended_by = clock.now(), by
    session.add(row)
    await session.flush()
    return row


def own_only(caller: Principal) -> str | None:
    """The inspector whose assignments ``caller`` may see: its own unless it is bureau staff."""
    return None if caller.is_bureau else caller.subject


async def list_assignments(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: AssignmentFilters
) -> Page[Assignment]:
    query = select(Assignment)
    limited = own_only(caller)
    if limited is not None:
        query = query.where(Assignment.inspector == limited)
    if filters.inspector is not None:
        query = query.where(Assignment.inspector == filters.inspector)
    if filters.right_id is not None:
        query = query.where(Assignment.right_id == filters.right_id)
    if filters.open is not None:
        ended = col(Assignment.ended_at)
        query = query.where(ended.is_(None) if filters.open else ended.is_not(None))
    return await paginate(session, query, page, order=(Assignment.assigned_at, Assignment.id))


async def assigned_right_ids(*, session: AsyncSession, inspector: str) -> set[UUID]:
    """The mines the inspector has now."""
    rows = await session.exec(
        select(Assignment.right_id).where(
            Assignment.inspector == inspector, col(Assignment.ended_at).is_(None)
        )
    )
    return set(rows.all())
