"""A right enters the register (登记): granted on an approved application, registered by the
bureau when it was granted before this system, or loaded as a reference mine of the plan. A
grant also starts what a working mine owes: this year's annual filings, from the day of grant.
Functions never commit: the request owns the transaction."""

from servicekit.errors import Conflict, FieldError, Unprocessable, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.filings import service as filings
from rights_api.geometry import area_fault
from rights_api.holders.models import Holder
from rights_api.plan.schemas import AdmissionRules
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.rights.schemas import RightCreate
from rights_api.rights.spatial import boundary_of, fault_violation, set_boundary


async def grant(
    *, session: AsyncSession, right: Right, actor: str, reason: str, holder_name: str | None = None
) -> Right:
    """Enter ``right`` in the register (``rights.right.granted``) with the filings it owes."""
    right = await rights.grant(
        session=session, right=right, actor=actor, reason=reason, holder_name=holder_name
    )
    await filings.owed_from_grant(session=session, right=right)
    return right


async def register(*, session: AsyncSession, data: RightCreate, actor: str) -> Right:
    """An existing right entered by the bureau: boundary checked, licence number unique."""
    holder = await session.get(Holder, data.holder_id)
    if holder is None:
        raise validation_error([FieldError(field="body.holder_id", message="no such holder")])
    if await session.scalar(select(Right.id).where(Right.licence_no == data.licence_no)):
        raise Conflict(f"Licence {data.licence_no} is already in the register.")
    boundary, faults = boundary_of(data)
    tolerance = AdmissionRules.model_fields["area_tolerance"].default
    if boundary is not None and (fault := area_fault(boundary.area_km2, data.area_km2, tolerance)):
        faults.append(fault)
    if faults:
        raise Unprocessable(
            "The boundary cannot be registered.",
            violations=[fault_violation(f, "第五章第三节").model_dump() for f in faults],
        )
    right = Right(
        **data.model_dump(exclude={"boundary", "corners", "scale"}, exclude_none=False),
        scale_value=data.scale.value if data.scale else None,
        scale_unit=data.scale.unit if data.scale else None,
    )
    set_boundary(right, boundary)
    return await grant(
        session=session, right=right, actor=actor, reason="registered", holder_name=holder.name
    )
