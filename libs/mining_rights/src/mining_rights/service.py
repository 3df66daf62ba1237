"""Reading the read model, and the one rule for applying news to it.

Events about one right arrive in order (the key is the right id), but a replay (an operator
replaying a dead letter, a reference load run again) can bring old news after new. Every
event carries the right's version at rights-api: news with a version not above the one kept is
stale and ignored. Events published before versions travelled have none; those are compared by
when they happened."""

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.mining import Scale
from contracts.rights import RightGranted
from servicekit.auth import Principal
from servicekit.lookup import owned_or_404
from sqlmodel.ext.asyncio.session import AsyncSession

from mining_rights.models import MiningRight

# revoked and expired mines are in the closure path: they still owe restoration until closed
ACTIVE = ("under_construction", "producing", "suspended", "closing", "revoked", "expired")


async def get(
    *,
    session: AsyncSession,
    right_id: UUID,
    caller: Principal | None = None,
    for_update: bool = False,
) -> MiningRight:
    """The right, or 404; a caller limited to one holder who does not hold it gets the same."""
    return await owned_or_404(
        session, MiningRight, right_id, caller, what="mining right", for_update=for_update
    )


def is_news(right: MiningRight, *, version: int | None, at: datetime) -> bool:
    """Whether an event about ``right`` (at ``version``, happened ``at``) is newer than it."""
    if version is not None and right.version is not None:
        return version > right.version
    return at >= right.updated_at


async def record_grant(session: AsyncSession, payload: RightGranted) -> MiningRight | None:
    """Insert or refresh the right from its grant; None when the grant is stale."""
    right = await session.get(MiningRight, payload.right_id, with_for_update=True)
    if right is not None and not is_news(
        right, version=payload.right_version, at=payload.granted_at
    ):
        return None
    right = right or MiningRight(right_id=payload.right_id)
    values = {
        "licence_no": payload.licence_no,
        "kind": payload.kind.value,
        "holder_id": payload.holder_id,
        "holder_name": payload.holder_name,
        "mine_name": payload.mine_name,
        "mineral": payload.mineral.value,
        "method": payload.method.value if payload.method else None,
        **scale_columns(payload.scale),
        "area_km2": payload.area_km2,
        "zone": payload.zone,
        "licensing_level": payload.licensing_level.value,
        "status": payload.status.value,
        "valid_from": payload.valid_from,
        "valid_to": payload.valid_to,
        "reference": payload.reference,
        "granted_at": payload.granted_at,
    }
    await _apply(session, right, values, version=payload.right_version, at=payload.granted_at)
    return right


def scale_columns(scale: Scale | None) -> dict[str, Any]:
    return {
        "scale_value": scale.value if scale else None,
        "scale_unit": scale.unit.value if scale else None,
    }


async def record_news(
    session: AsyncSession,
    right_id: UUID,
    *,
    version: int | None,
    at: datetime,
    values: dict[str, Any],
) -> MiningRight | None:
    """Set ``values`` on a known right unless the news is stale; None when nothing changed
    (a right granted before this service kept the model, or old news)."""
    right = await session.get(MiningRight, right_id, with_for_update=True)
    if right is None or not is_news(right, version=version, at=at):
        return None
    await _apply(session, right, values, version=version, at=at)
    return right


async def _apply(
    session: AsyncSession,
    right: MiningRight,
    values: dict[str, Any],
    *,
    version: int | None,
    at: datetime,
) -> None:
    for name, value in values.items():
        setattr(right, name, value)
    if version is not None:
        right.version = version
    right.updated_at = max(at, right.updated_at) if right.updated_at else at
    session.add(right)
    await session.flush()
