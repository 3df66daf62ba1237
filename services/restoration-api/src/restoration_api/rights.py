"""The mining right a caller acts on, from the shared read model (``mining_rights``), the
filters every list of a mine's rows takes and the request such a list answers, the events that
tell of a mine's rows, and the rows that follow a right to its new holder."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from contracts.base import EventPayload
from contracts.rights import RightTransferred
from fastapi import Depends
from mining_rights import MiningRight
from mining_rights import service as mining_rights
from pydantic import BaseModel
from servicekit.auth import Principal
from servicekit.deps import Paging, Reader, Session
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from servicekit.events.outbox import publish
from servicekit.pagination import Page, paginate
from sqlalchemy import Select, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


class MineFilters(BaseModel):
    right_id: UUID | None = None


class MineStatusFilters(MineFilters):
    status: str | None = None


async def acted_on(*, session: AsyncSession, right_id: UUID, caller: Principal) -> MiningRight:
    """An unknown right is a 404; another holder's is a 403, since the caller named it."""
    mine = await mining_rights.get(session=session, right_id=right_id)
    caller.ensure_holder(mine.holder_id)
    return mine


async def sees_mine(session: AsyncSession, caller: Principal, right_id: UUID | None) -> bool:
    """Whether ``caller`` sees the rows of mine ``right_id``: officials see every row, an
    enterprise its own mines' only (and no legacy site's, whose rows name no mine)."""
    if caller.own_holder is None:
        return True
    mine = await session.get(MiningRight, right_id) if right_id is not None else None
    return mine is not None and caller.sees_holder(mine.holder_id)


def on_callers_mines(query: Select, caller: Principal) -> Select:
    """``query`` (of rows with a ``right_id``) limited to an enterprise caller's own mines."""
    if caller.own_holder is None:
        return query
    return query.join(MiningRight).where(MiningRight.holder_id == caller.own_holder)


def matching(model: Any, filters: BaseModel) -> Select:
    """``select(model)`` where each of ``filters``' fields that is set equals the column of the
    same name (applied before any join, so the names are ``model``'s)."""
    return select(model).filter_by(**filters.model_dump(exclude_none=True))


@dataclass
class MineRows:
    """What a list of a mine's rows is asked with: the session, the caller (an enterprise sees
    its own mines' rows only) and the page. Routes take it as one dependency (``Listing``)."""

    session: Session
    caller: Reader
    page: Paging

    async def on_mines(self, model: Any, filters: BaseModel, *order: Any) -> Page[Any]:
        """A page of ``model``'s rows (with a ``right_id``) matching ``filters``, on an
        enterprise caller's own mines, in ``order``."""
        query = on_callers_mines(matching(model, filters), self.caller)
        return await paginate(self.session, query, self.page, order=order)

    async def of_holder(self, model: Any, filters: BaseModel, *order: Any) -> Page[Any]:
        """A page of ``model``'s rows (with a ``holder_id``) matching ``filters``, of an
        enterprise caller's own holder, in ``order``."""
        query = matching(model, filters)
        if self.caller.own_holder is not None:
            query = query.where(model.holder_id == self.caller.own_holder)
        return await paginate(self.session, query, self.page, order=order)


Listing = Annotated[MineRows, Depends()]


async def announce(
    session: AsyncSession, row: Any, event: type[EventPayload], **fields: Any
) -> None:
    """Publishes ``event`` about a mine's ``row`` (its ``right_id`` and ``holder_id``, and
    ``fields``), keyed by the right."""
    await publish(
        session,
        event(right_id=row.right_id, holder_id=row.holder_id, **fields),
        subject=str(row.right_id),
    )


async def follow_holder(session: AsyncSession, model: Any, right_id: UUID, *, done: str) -> None:
    """The mine's rows of ``model`` not yet ``done`` pass to the holder the read model names
    (the right was transferred)."""
    mine = await session.get(MiningRight, right_id)
    if mine is not None:
        await session.exec(
            update(model)
            .where(model.right_id == right_id, model.status != done)
            .values(holder_id=mine.holder_id)
        )


def following_holder(follow: Callable[..., Awaitable[None]]) -> Handlers:
    """An area's handlers, starting with the one for a right transferred in rights-api: it calls
    ``follow(session=…, right_id=…)``, which passes the area's rows of the mine to the new
    holder."""
    handlers = Handlers()

    @handlers.on(RightTransferred)
    async def right_transferred(
        session: AsyncSession, event: CloudEvent, payload: RightTransferred
    ) -> None:
        await follow(session=session, right_id=payload.right_id)

    return handlers
