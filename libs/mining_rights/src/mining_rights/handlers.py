"""``rights.*`` events → the read model. Registered first by every service that keeps it."""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from contracts.rights import (
    MineClosed,
    RightChanged,
    RightGranted,
    RightRenewed,
    RightStatusChanged,
    RightSuspended,
    RightTransferred,
)
from servicekit.events.consumer import Handlers
from servicekit.events.envelope import CloudEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from mining_rights import service
from mining_rights.models import MiningRight

handlers = Handlers()


@handlers.on(RightGranted)
async def right_granted(session: AsyncSession, event: CloudEvent, payload: RightGranted) -> None:
    await service.record_grant(session, payload)


@handlers.on(RightRenewed)
async def right_renewed(session: AsyncSession, event: CloudEvent, payload: RightRenewed) -> None:
    def renew(right: MiningRight) -> None:
        right.valid_from, right.valid_to = payload.valid_from, payload.valid_to

    await _news(session, payload.right_id, payload.right_version, payload.renewed_at, renew)


@handlers.on(RightTransferred)
async def right_transferred(
    session: AsyncSession, event: CloudEvent, payload: RightTransferred
) -> None:
    def transfer(right: MiningRight) -> None:
        right.holder_id, right.holder_name = payload.to_holder_id, payload.to_holder_name

    await _news(session, payload.right_id, payload.right_version, payload.transferred_at, transfer)


@handlers.on(RightChanged)
async def right_changed(session: AsyncSession, event: CloudEvent, payload: RightChanged) -> None:
    def change(right: MiningRight) -> None:
        right.mine_name = payload.mine_name
        right.method = payload.method.value if payload.method else None
        right.scale_value = payload.scale.value if payload.scale else None
        right.scale_unit = payload.scale.unit.value if payload.scale else None

    await _news(session, payload.right_id, payload.right_version, payload.changed_at, change)


@handlers.on(RightSuspended)
async def right_suspended(
    session: AsyncSession, event: CloudEvent, payload: RightSuspended
) -> None:
    def suspend(right: MiningRight) -> None:
        right.status = "suspended"

    await _news(session, payload.right_id, payload.right_version, payload.suspended_at, suspend)


@handlers.on(RightStatusChanged)
async def status_changed(
    session: AsyncSession, event: CloudEvent, payload: RightStatusChanged
) -> None:
    def move(right: MiningRight) -> None:
        right.status = payload.to_status.value

    await _news(session, payload.right_id, payload.right_version, payload.changed_at, move)


@handlers.on(MineClosed)
async def mine_closed(session: AsyncSession, event: CloudEvent, payload: MineClosed) -> None:
    def close(right: MiningRight) -> None:
        right.status, right.closed_at = payload.status.value, payload.closed_at

    await _news(session, payload.right_id, payload.right_version, payload.closed_at, close)


async def _news(
    session: AsyncSession,
    right_id: UUID,
    version: int | None,
    at: datetime,
    change: Callable[[MiningRight], None],
) -> None:
    await service.record_news(session, right_id, version=version, at=at, change=change)
