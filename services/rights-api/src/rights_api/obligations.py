"""Yearly obligations of working mining rights: the holder's annual filings (``filings``) and
the bureau's annual reserve verification (``reserve_checks``). One implementation of what they
share: the due date (a holiday moves it to the next working day, 民法典第二百零三条), which
rights owe, the insert-once of an obligation row (its unique constraint makes the scheduled
job safe to run any number of times) and the overdue sweep. A row kind used here has the
columns ``id``, ``right_id``, ``due_on``, ``status``, ``overdue_at``, ``late`` and ``version``.
Functions never commit: the caller owns the transaction."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import uuid4

from contracts.mining import RightKind, RightStatus
from servicekit import clock
from servicekit.workdays import add_workdays, is_workday
from sqlalchemy import and_
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.rights.models import Right

# statuses in which a mine works and so owes its yearly obligations; a suspended or closing
# mine does not
OBLIGED = (RightStatus.producing, RightStatus.under_construction)

Row = TypeVar("Row", bound=SQLModel)


async def due_on(*, session: AsyncSession, year: int, month_day: str) -> date:
    """``month_day`` (MM-DD) of ``year``, moved to the next working day when it is a holiday
    (民法典第二百零三条)."""
    month, day = (int(part) for part in month_day.split("-"))
    due = date(year, month, day)
    if not await is_workday(session, due):
        due = await add_workdays(session, due, 1)
    return due


def working_mining_rights(today: date) -> Any:
    """The condition on ``Right`` of a mining right working ``today`` (under construction or
    producing, its licence valid): the rights that owe yearly obligations."""
    return and_(
        Right.kind == RightKind.mining,
        Right.status.in_(OBLIGED),
        Right.valid_from <= today,
        Right.valid_to >= today,
    )


async def insert_once(
    session: AsyncSession, model: type[Row], *, constraint: str, **values: Any
) -> Row | None:
    """Insert a new obligation (not late, version 1) unless ``constraint`` finds one already:
    the new row, or None when it existed."""
    row_id = await session.scalar(
        insert(model)
        .values(id=uuid4(), late=False, version=1, **values)
        .on_conflict_do_nothing(constraint=constraint)
        .returning(model.id)
    )
    if row_id is None:
        return None
    row = await session.get(model, row_id)
    assert row is not None
    return row


async def mark_overdue(
    session: AsyncSession,
    model: type[Row],
    now: datetime,
    *,
    owed: StrEnum,
    overdue: StrEnum,
    announce: Callable[[Row, Right], Awaitable[None]],
) -> int:
    """The overdue sweep: every row still ``owed`` after its local due date becomes ``overdue``
    (once: it is no longer owed) and is announced. Rows locked by another sweep are skipped."""
    rows = (
        await session.exec(
            select(model, Right)
            .join(Right, Right.id == model.right_id)
            .where(
                model.status == owed,
                model.due_on < clock.local_today(now),
            )
            .order_by(model.due_on, model.id)
            .with_for_update(of=model, skip_locked=True)
        )
    ).all()
    for row, right in rows:
        row.status = overdue
        row.overdue_at = now
        row.version += 1
        session.add(row)
        await announce(row, right)
    await session.flush()
    return len(rows)
