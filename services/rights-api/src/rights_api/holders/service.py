"""Rules for rights holders. Functions never commit: the request owns the transaction."""

from typing import Any
from uuid import UUID

from contracts.rights import HolderRegistered
from servicekit.auth import Principal
from servicekit.concurrency import require_if_match
from servicekit.errors import Conflict
from servicekit.events.outbox import publish
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.holders.models import Holder
from rights_api.holders.schemas import HolderCreate, HolderUpdate
from rights_api.versions import save_new_version


async def register(*, session: AsyncSession, data: HolderCreate) -> Holder:
    existing = await session.scalar(select(Holder.id).where(Holder.credit_code == data.credit_code))
    if existing is not None:
        raise Conflict(
            f"A holder with credit code {data.credit_code} is already registered.",
            holder_id=str(existing),
        )
    holder = Holder.model_validate(data)
    session.add(holder)
    await session.flush()
    await publish(
        session,
        HolderRegistered(
            holder_id=holder.id,
            credit_code=holder.credit_code,
            name=holder.name,
            registered_at=holder.created_at,
            contact_name=holder.contact_name,
            contact_phone=holder.contact_phone,
            contact_email=holder.contact_email,
        ),
        subject=None,
        key=str(holder.id),
    )
    return holder


async def get(
    *, session: AsyncSession, holder_id: UUID, caller: Principal, for_update: bool = False
) -> Holder:
    """A holder is a registered company, public in the national credit system: an enterprise
    naming another one is refused (403), not told that it does not exist."""
    holder = await get_or_404(session, Holder, holder_id, what="holder", for_update=for_update)
    caller.ensure_holder(holder.id)
    return holder


async def update(
    *,
    session: AsyncSession,
    holder_id: UUID,
    changes: HolderUpdate,
    caller: Principal,
    if_match: str | None,
) -> Holder:
    """The fields sent; ``If-Match`` must name the current version."""
    holder = await get(session=session, holder_id=holder_id, caller=caller, for_update=True)
    require_if_match(if_match, holder.version)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(holder, field, value)
    await save_new_version(session, holder)
    return holder


async def list_holders(
    *,
    session: AsyncSession,
    page: PageParams,
    caller: Principal,
    name: str | None = None,
    credit_code: str | None = None,
) -> Page[Holder]:
    query = select(Holder)
    if caller.own_holder is not None:
        query = query.where(Holder.id == caller.own_holder)
    if name:
        query = query.where(Holder.name.contains(name))
    if credit_code:
        query = query.where(Holder.credit_code == credit_code)
    return await paginate(session, query, page, order=(Holder.created_at, Holder.id))


async def holder_by_credit_code(runtime: Any, credit_code: str) -> UUID | None:
    """The holder a token names by its credit code (servicekit.holder_directory)."""
    async with runtime.db.transaction() as session:
        return (
            await session.exec(select(Holder.id).where(Holder.credit_code == credit_code))
        ).first()
