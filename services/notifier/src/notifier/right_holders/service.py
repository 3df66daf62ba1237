"""Recording transfers and reading who holds a right now."""

from contracts.rights import RightTransferred
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.right_holders.models import RightHolder


async def record_transfer(*, session: AsyncSession, transfer: RightTransferred) -> None:
    subject, to_holder = str(transfer.right_id), str(transfer.to_holder_id)
    from_holder = str(transfer.from_holder_id)
    await session.exec(
        insert(RightHolder)
        .values(subject=subject, holder_id=to_holder, former_holders=[from_holder])
        .on_conflict_do_update(
            index_elements=[RightHolder.subject],
            set_={
                "holder_id": to_holder,
                "former_holders": func.array_append(col(RightHolder.former_holders), from_holder),
            },
        )
    )


async def holder_now(*, session: AsyncSession, subject: str, named: str | None) -> str | None:
    """``named``, unless the right ``subject`` has been transferred away from it since: then
    the holder now."""
    if named is None:
        return None
    record = await session.get(RightHolder, subject)
    if record is not None and named != record.holder_id and named in record.former_holders:
        return record.holder_id
    return named
