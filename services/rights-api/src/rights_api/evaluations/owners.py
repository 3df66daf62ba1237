"""Who answers for each indicator of an edition (第七章一 规划实施责任考核): the owner unit and the
person responsible, set by the bureau, shown in every evaluation and report."""

from uuid import UUID

from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import FieldError, validation_error
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.evaluations.models import IndicatorOwner
from rights_api.evaluations.schemas import OwnerPublic, Owners, OwnerSet
from rights_api.indicators import service as indicators
from rights_api.plan import service as plans


async def list_owners(*, session: AsyncSession, edition_id: UUID) -> Owners:
    await plans.get_edition(session=session, edition_id=edition_id)
    rows = await session.exec(
        select(IndicatorOwner)
        .where(IndicatorOwner.edition_id == edition_id)
        .order_by(IndicatorOwner.code)
    )
    return Owners(
        edition_id=edition_id,
        owners=[OwnerPublic.model_validate(r, from_attributes=True) for r in rows.all()],
    )


async def set_owner(
    *, session: AsyncSession, edition_id: UUID, code: str, data: OwnerSet, caller: Principal
) -> tuple[OwnerPublic, bool]:
    """Sets who answers for an indicator of the edition (第七章一); (owner, created). 422 naming
    ``code`` when the edition has no such indicator."""
    edition = await plans.get_edition(session=session, edition_id=edition_id)
    codes = indicators.indicator_codes(plans.view(edition).content)
    if code not in codes:
        raise validation_error(
            [
                FieldError(
                    field="path.code",
                    message=f"The edition has no indicator {code!r}; it has {', '.join(codes)}",
                    type="unknown_indicator",
                )
            ]
        )
    row = await session.get(IndicatorOwner, (edition_id, code), with_for_update=True)
    created = row is None
    if row is None:
        row = IndicatorOwner(
            edition_id=edition_id, code=code, **data.model_dump(), set_by=caller.subject
        )
    else:
        row.unit, row.person, row.set_by = data.unit, data.person, caller.subject
        row.updated_at = clock.now()
    session.add(row)
    await session.flush()
    return OwnerPublic.model_validate(row, from_attributes=True), created
