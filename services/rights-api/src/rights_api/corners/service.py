"""A right's boundary as a corner file, and a corner file read back into a boundary."""

from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from contracts.mining import RightKind
from servicekit.auth import Principal
from servicekit.errors import FieldError, NotFound, validation_error
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.corners import format
from rights_api.corners.schemas import CornersParsed, ParcelRead
from rights_api.corners.shapes import boundary_of, parcels_of
from rights_api.geometry import CornerCrs
from rights_api.rights import service as rights
from rights_api.rights.models import Right

PRODUCER = "二连浩特市自然资源局"  # the plan's registering authority (规划: 登记发证)
USE = {RightKind.mining: "采矿权", RightKind.exploration: "探矿权"}


def header(today: date) -> dict[str, str]:
    return {
        "格式版本号": "1.01",
        "数据产生单位": PRODUCER,
        "数据产生日期": today.isoformat(),
        **format.REQUIRED,
        "精度": "0.01",
        "转换参数": ",,,,,,",
    }


async def corner_file(
    *, session: AsyncSession, right_id: UUID, caller: Principal, crs: CornerCrs, today: date
) -> tuple[Right, str]:
    right = await rights.get_right(session=session, right_id=right_id, principal=caller)
    if right.boundary is None:
        raise NotFound(f"Right {right.licence_no} has no boundary recorded.")
    use = USE.get(RightKind(right.kind), "")
    parcels = parcels_of(right.boundary, crs, right.mine_name, use)
    return right, format.write(header(today), parcels)


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM allowed), else GB18030, the superset of the GBK older tools write."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise validation_error([FieldError(field="body", message="neither UTF-8 nor GB18030 text")])


def _declared(area: str) -> Decimal | None:
    try:
        return Decimal(area) if area else None
    except InvalidOperation:
        return None


def parse(raw: bytes) -> CornersParsed:
    """The boundary a corner file describes; a 422 names the first wrong line."""
    try:
        corner_file = format.read(decode(raw))
        parsed = boundary_of(corner_file)
    except format.FormatError as exc:
        error = validation_error([FieldError(field="body", message=str(exc), type="corner_format")])
        error.extensions["line"] = exc.line
        raise error from exc
    parcels = [
        ParcelRead(
            number=p.number,
            name=p.name,
            declared_area_ha=_declared(p.area_ha),
            area_ha=area,
            rings=len(p.rings),
            points=sum(len(r.points) for r in p.rings),
        )
        for p, area in zip(corner_file.parcels, parsed.parcel_areas_ha, strict=True)
    ]
    return CornersParsed(
        crs=parsed.crs,
        header=corner_file.header,
        boundary=parsed.geojson,
        area_km2=parsed.area_km2,
        parcels=parcels,
    )
