"""Submissions from the public are rate-limited per address, in the database."""

import hashlib
from datetime import datetime, timedelta

from servicekit import clock
from servicekit.errors import ProblemError
from sqlalchemy import delete, text
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.settings import GreenmineSettings
from greenmine_api.submissions.models import PublicSubmission


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many submissions from this address"


def client_key(address: str) -> str:
    """Addresses are personal data: only a hash is stored (enough to count, not to publish)."""
    return hashlib.sha256(f"greenmine:public-submission:{address}".encode()).hexdigest()


async def admit(
    *, session: AsyncSession, address: str, kind: str, settings: GreenmineSettings
) -> None:
    """Count the address's submissions in the window, in the database (all replicas share it);
    a per-address advisory lock makes two simultaneous requests count one after the other."""
    limit = settings.complaint_rate_limit
    window = timedelta(minutes=settings.complaint_rate_window_minutes)
    now = clock.now()
    key = client_key(address)
    await session.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))
    since = now - window
    count = await session.scalar(
        select(func.count()).where(PublicSubmission.client == key, PublicSubmission.at > since)
    )
    if count >= limit:
        oldest = await session.scalar(
            select(func.min(PublicSubmission.at)).where(
                PublicSubmission.client == key, PublicSubmission.at > since
            )
        )
        retry = max(1, int((oldest + window - now).total_seconds()))
        raise TooManyRequests(
            f"At most {limit} complaints or objections per {int(window.total_seconds() // 60)} "
            "minutes from one address.",
            headers={"Retry-After": str(retry)},
        )
    session.add(PublicSubmission(client=key, kind=kind, at=now))


async def purge(session: AsyncSession, now: datetime) -> int:
    """Job: the rate limit needs only the last day of submissions."""
    result = await session.exec(
        delete(PublicSubmission).where(PublicSubmission.at < now - timedelta(days=1))
    )
    return result.rowcount
