"""Mortgage filings and releases 抵押备案 / 解除 (第五章第二节: 采矿权转让和抵押备案由市自然资源
行政管理部门统一办理). A mortgage is filed by approving a ``mortgage_filing`` application and
released by the bureau; an unreleased mortgage blocks a transfer. Functions never commit."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.rights import MortgageReleased, RightMortgaged
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, NotFound
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.mortgages.models import Mortgage
from rights_api.mortgages.schemas import MortgagePublic
from rights_api.rights import service as rights
from rights_api.rights.models import Right

FEN = Decimal(100)


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN).quantize(Decimal("0.01"))


def public(mortgage: Mortgage) -> MortgagePublic:
    return MortgagePublic.model_validate(
        {
            **mortgage.model_dump(),
            "amount_yuan": yuan(mortgage.amount_fen),
            "released": mortgage.released_at is not None,
        }
    )


async def file(
    *,
    session: AsyncSession,
    right: Right,
    application_id: UUID | None,
    mortgagee: str,
    amount_yuan: Decimal,
    starts_on: date,
    ends_on: date,
    actor: str,
    reason: str,
) -> Mortgage:
    """Record an approved mortgage filing: the mortgage, a history line on the right (a new
    version), and ``rights.right.mortgaged``."""
    mortgage = Mortgage(
        right_id=right.id,
        application_id=application_id,
        mortgagee=mortgagee,
        amount_fen=int(amount_yuan * FEN),
        starts_on=starts_on,
        ends_on=ends_on,
        filed_at=clock.now(),
        filed_by=actor,
    )
    session.add(mortgage)
    await session.flush()
    changes = {
        "mortgage_id": str(mortgage.id),
        "mortgagee": mortgagee,
        "amount_yuan": f"{amount_yuan:.2f}",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "application_id": str(application_id) if application_id else None,
    }
    await rights.record_change(
        session=session,
        right=right,
        actor=actor,
        action="mortgage_filed",
        reason=reason,
        changes=changes,
    )
    await rights.publish_news(
        session,
        RightMortgaged,
        right,
        mortgage_id=mortgage.id,
        mortgagee=mortgagee,
        amount_yuan=yuan(mortgage.amount_fen),
        starts_on=starts_on,
        ends_on=ends_on,
        application_id=application_id,
        filed_at=mortgage.filed_at,
    )
    return mortgage


async def unreleased(*, session: AsyncSession, right_id: UUID) -> list[Mortgage]:
    """The right's mortgages not yet released, oldest first."""
    query = (
        select(Mortgage)
        .where(Mortgage.right_id == right_id, Mortgage.released_at.is_(None))
        .order_by(Mortgage.filed_at, Mortgage.id)
    )
    return list((await session.exec(query)).all())


async def release(
    *, session: AsyncSession, right_id: UUID, mortgage_id: UUID, caller: Principal, reason: str
) -> MortgagePublic:
    """The bureau records the release 抵押解除: 404 for a mortgage not on this right, 409 when
    it is already released. History line, new version of the right, ``rights.mortgage.released``."""
    right = await rights.get_right(
        session=session, right_id=right_id, principal=caller, for_update=True
    )
    mortgage = await session.get(Mortgage, mortgage_id, with_for_update=True)
    if mortgage is None or mortgage.right_id != right.id:
        raise NotFound(f"No mortgage {mortgage_id} on right {right_id}.")
    if mortgage.released_at is not None:
        raise Conflict(
            f"Mortgage {mortgage.id} was already released on {mortgage.released_at:%Y-%m-%d}."
        )
    at = clock.now()
    mortgage.released_at, mortgage.released_by, mortgage.release_reason = (
        at,
        caller.subject,
        reason,
    )
    mortgage.version += 1
    session.add(mortgage)
    await rights.record_change(
        session=session,
        right=right,
        actor=caller.subject,
        action="mortgage_released",
        reason=reason,
        changes={"mortgage_id": str(mortgage.id), "mortgagee": mortgage.mortgagee},
    )
    await session.flush()
    await rights.publish_news(
        session,
        MortgageReleased,
        right,
        mortgage_id=mortgage.id,
        mortgagee=mortgage.mortgagee,
        reason=reason,
        released_at=at,
    )
    return public(mortgage)


async def list_mortgages(
    *, session: AsyncSession, right_id: UUID, caller: Principal, page: PageParams
) -> Page[MortgagePublic]:
    """The right's mortgages, oldest first; 404 as for the right itself."""
    right = await rights.get_right(session=session, right_id=right_id, principal=caller)
    query = select(Mortgage).where(Mortgage.right_id == right.id)
    rows = await paginate(session, query, page, order=(Mortgage.filed_at, Mortgage.id))
    return rows.with_items([public(m) for m in rows.items])
