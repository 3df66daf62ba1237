"""What an approved application does to the register, kind by kind. Each change is made by the
service that owns the right (``rights``; ``grants`` for a new right), which also publishes its
``rights.*`` event carrying the right's new version."""

from contracts.mining import LicensingLevel, RightKind, RightStatus
from servicekit import clock
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.applications.models import Application
from rights_api.applications.rules import Assessment
from rights_api.applications.schemas import (
    KIND_ZH,
    Change,
    Closure,
    MortgageFiling,
    NewExplorationRight,
    NewMiningRight,
    Renewal,
    Transfer,
)
from rights_api.grants import service as grants
from rights_api.holders.models import Holder
from rights_api.mortgages import service as mortgages
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.rights.spatial import set_boundary


async def carry_out(
    session: AsyncSession,
    application: Application,
    request: NewMiningRight
    | NewExplorationRight
    | Renewal
    | Transfer
    | MortgageFiling
    | Change
    | Closure,
    assessment: Assessment,
) -> Right:
    """Change the register as the approved ``application`` asks, in the name of whoever decided
    it and with their reason; the right it concerns."""
    actor = application.decided_by
    why = f"{KIND_ZH[application.kind]}申请{application.id}批准：{application.decision_reason}"
    right = assessment.right
    match request:
        case NewMiningRight() | NewExplorationRight():
            return await _grant(session, request, assessment, actor, why)
        case Renewal():
            return await rights.renew(
                session=session, right=right, term_years=request.term_years, actor=actor, reason=why
            )
        case Transfer():
            return await rights.transfer(
                session=session,
                right=right,
                to_holder_id=request.to_holder_id,
                actor=actor,
                reason=why,
            )
        case MortgageFiling():
            await mortgages.file(
                session=session,
                right=right,
                application_id=application.id,
                mortgagee=request.mortgagee,
                amount_yuan=request.amount_yuan,
                starts_on=request.starts_on,
                ends_on=request.ends_on,
                actor=actor,
                reason=why,
            )
            return right
        case Change():
            return await rights.change(
                session=session,
                right=right,
                mine_name=request.mine_name,
                method=request.method,
                scale=request.scale,
                elevation=(
                    (request.elevation_top_m, request.elevation_bottom_m)
                    if request.elevation_top_m is not None
                    else None
                ),
                actor=actor,
                reason=why,
            )
        case Closure():
            return await rights.change_status(
                session=session, right=right, to=RightStatus.closed, actor=actor, reason=why
            )


async def _grant(
    session: AsyncSession,
    request: NewMiningRight | NewExplorationRight,
    assessment: Assessment,
    actor: str,
    why: str,
) -> Right:
    granted_on = clock.local_today()
    mining = isinstance(request, NewMiningRight)
    kind = RightKind.mining if mining else RightKind.exploration
    right = Right(
        licence_no=await rights.next_licence_no(session=session, kind=kind, on=granted_on),
        kind=kind,
        holder_id=request.holder_id,
        mine_name=request.mine_name,
        mineral=request.mineral,
        area_km2=request.area_km2,
        scale_value=request.scale.value if mining else None,
        scale_unit=request.scale.unit if mining else None,
        method=request.method if mining else None,
        status=RightStatus.under_construction,
        valid_from=granted_on,
        valid_to=rights.term_end(granted_on, request.term_years),
        zone=assessment.zone,
        licensing_level=LicensingLevel.city,
    )
    set_boundary(right, assessment.boundary)
    holder = await session.get(Holder, request.holder_id)
    return await grants.grant(
        session=session,
        right=right,
        actor=actor,
        reason=why,
        holder_name=holder.name if holder else None,
    )
