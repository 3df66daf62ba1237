"""Expiry of licences not renewed: renewals are applications, so the sweep that finds the
licences nobody asked to renew lives here; ending a right is the endings' business."""

from datetime import datetime, timedelta

from contracts.mining import RightKind
from servicekit import clock
from sqlalchemy import exists
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.schemas import ApplicationStatus
from rights_api.endings import service as endings
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings


async def expire_unrenewed(session: AsyncSession, now: datetime) -> int:
    """Job ``right_expiry`` (daily): every mining right still working or suspended whose licence
    ended more than ``expiry_grace_days`` ago (local dates) with no renewal application under
    review becomes ``expired`` and enters the closure path. A right is expired once: the next
    run no longer finds it."""
    settings: RightsSettings = session.info["settings"]
    grace = settings.expiry_grace_days
    renewal_pending = exists().where(
        Application.right_id == Right.id,
        Application.kind == "renewal",
        Application.status == ApplicationStatus.filed.value,
    )
    due = (
        await session.exec(
            select(Right)
            .where(
                Right.kind == RightKind.mining,
                Right.status.in_([s.value for s in endings.ENDABLE]),
                Right.valid_to < clock.local_today(now) - timedelta(days=grace),
                ~renewal_pending,
            )
            .order_by(Right.valid_to, Right.id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for right in due:
        await endings.expire(session=session, right=right, grace_days=grace, at=now)
    return len(due)
