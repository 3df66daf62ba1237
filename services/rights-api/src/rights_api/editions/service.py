"""Publishing a drafted edition: complete, dated, recorded, announced. Never commits."""

from datetime import timedelta
from uuid import UUID

from contracts.rights import PlanEditionPublished
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict
from servicekit.events.outbox import publish as announce
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.editions.publishing import incomplete, missing_pieces
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition
from rights_api.plan.schemas import EditionStatus, PlanContent, Publish
from rights_api.versions import save_new_version

PUBLISH_LOCK = 7_256_830_015  # transaction advisory lock: one publication at a time


def require_draft(edition: PlanEdition, to: str) -> None:
    if edition.published:
        raise Conflict(f"Edition {edition.code} is already published; only a draft is {to}.")


async def publish(
    *, session: AsyncSession, edition_id: UUID, data: Publish, actor: Principal
) -> PlanEdition:
    """Publish draft ``edition_id`` to take effect on ``data.effective_from``: 422 listing every
    missing piece, else published (who, when) and ``rights.plan_edition.published`` queued."""
    # publications wait for one another, so two cannot both take the same day
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=PUBLISH_LOCK))
    edition = await plans.get_edition(session=session, edition_id=edition_id, for_update=True)
    require_draft(edition, "published")
    day = data.effective_from
    taken_by = await session.scalar(
        select(PlanEdition.code).where(
            PlanEdition.status == EditionStatus.published.value,
            PlanEdition.effective_from == day,
        )
    )
    missing = missing_pieces(edition, day, today=clock.local_today(), taken_by=taken_by)
    if missing:
        raise incomplete(edition, missing, "cannot be published")
    replaced = await _in_force_before(session, day)
    # every part there: the stored content is now the full, validated edition
    edition.content = PlanContent.model_validate(edition.content).model_dump(
        mode="json", exclude_none=True
    )
    edition.status = EditionStatus.published
    edition.effective_from = day
    edition.published_at = clock.now()
    edition.published_by = actor.subject
    await save_new_version(session, edition)
    await announce(
        session,
        PlanEditionPublished(
            edition_id=edition.id,
            code=edition.code,
            title=edition.title or "",
            period_start=edition.period_start,
            period_end=edition.period_end,
            effective_from=day,
            replaces=replaced,
            published_by=actor.subject,
            published_at=edition.published_at,
        ),
        subject=None,
        key=str(edition.id),
    )
    return edition


async def _in_force_before(session: AsyncSession, day) -> str | None:
    edition = (
        await session.exec(
            select(PlanEdition.code)
            .where(
                PlanEdition.status == EditionStatus.published.value,
                PlanEdition.effective_from <= day - timedelta(days=1),
            )
            .order_by(PlanEdition.effective_from.desc())
            .limit(1)
        )
    ).first()
    return edition
